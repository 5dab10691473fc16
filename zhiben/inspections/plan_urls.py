"""URLs of inspection plans (双随机 draws), the expert pool, inspector credentials and conflicts;
included from urls.py under the same namespace."""

urlpatterns = []
