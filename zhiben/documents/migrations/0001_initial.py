import django.db.models.deletion
import zhiben.documents.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('enterprises', '0001_initial'),
        ('hazards', '0002_seed_criteria'),
        ('regions', '0002_seed_industries'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='DocumentTemplate',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('rectification_notice', '隐患整改通知书'), ('listing_notice', '重大事故隐患挂牌督办通知书'), ('supervision_letter', '督办函（函告）'), ('interview_notice', '约谈通知书'), ('extension_form', '事故隐患延期整改审批表'), ('closure_form', '事故隐患整改销号审批表')], max_length=40, verbose_name='公文种类')),
                ('region_code', models.CharField(blank=True, default='', max_length=12, verbose_name='适用区划')),
                ('title', models.CharField(max_length=200, verbose_name='标题')),
                ('body', models.TextField(blank=True, help_text='每行一段；可用 {{占位符}}', verbose_name='正文')),
                ('table', models.TextField(blank=True, help_text='审批表用：每行一栏，写作“栏目｜内容”', verbose_name='表格')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='修改人')),
            ],
            options={
                'verbose_name': '公文模板',
                'verbose_name_plural': '公文模板',
                'ordering': ['kind', 'region_code'],
            },
        ),
        migrations.CreateModel(
            name='Document',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('rectification_notice', '隐患整改通知书'), ('listing_notice', '重大事故隐患挂牌督办通知书'), ('supervision_letter', '督办函（函告）'), ('interview_notice', '约谈通知书'), ('extension_form', '事故隐患延期整改审批表'), ('closure_form', '事故隐患整改销号审批表')], max_length=40, verbose_name='公文种类')),
                ('number', models.CharField(db_index=True, max_length=60, verbose_name='发文字号')),
                ('year', models.PositiveSmallIntegerField(verbose_name='年度')),
                ('sequence', models.PositiveIntegerField(verbose_name='序号')),
                ('addressee', models.CharField(blank=True, max_length=200, verbose_name='主送')),
                ('title', models.CharField(max_length=200, verbose_name='标题')),
                ('body', models.TextField(blank=True, verbose_name='正文')),
                ('issued_by_name', models.CharField(blank=True, max_length=100, verbose_name='签发人')),
                ('issued_at', models.DateTimeField(verbose_name='签发时间')),
                ('docx', models.FileField(max_length=200, upload_to=zhiben.documents.models.document_path, verbose_name='Word 文件')),
                ('docx_sha256', models.CharField(max_length=64, verbose_name='Word SHA-256')),
                ('pdf', models.FileField(max_length=200, upload_to=zhiben.documents.models.document_path, verbose_name='PDF 文件')),
                ('pdf_sha256', models.CharField(max_length=64, verbose_name='PDF SHA-256')),
                ('context', models.JSONField(default=dict, verbose_name='签发内容')),
                ('enterprise', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='documents', to='enterprises.enterprise', verbose_name='主送企业')),
                ('hazard', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='documents', to='hazards.hazard', verbose_name='隐患')),
                ('issued_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='签发人')),
                ('issuing_unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='documents', to='regions.unit', verbose_name='发文单位')),
                ('region', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='documents', to='regions.region', verbose_name='所在区划')),
                ('template', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='documents', to='documents.documenttemplate', verbose_name='模板')),
            ],
            options={
                'verbose_name': '公文',
                'verbose_name_plural': '公文',
                'ordering': ['-issued_at', '-id'],
            },
        ),
        migrations.AddConstraint(
            model_name='documenttemplate',
            constraint=models.UniqueConstraint(fields=('kind', 'region_code'), name='document_template_kind_region'),
        ),
        migrations.AddIndex(
            model_name='document',
            index=models.Index(fields=['region', 'issued_at'], name='document_region_issued'),
        ),
        migrations.AddConstraint(
            model_name='document',
            constraint=models.UniqueConstraint(fields=('issuing_unit', 'year', 'sequence'), name='document_unique_number'),
        ),
    ]
