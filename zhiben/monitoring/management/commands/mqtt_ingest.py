"""python manage.py mqtt_ingest: store the readings devices publish over MQTT (see zhiben/monitoring/mqtt.py)."""

import logging
import signal
import threading

from django.core.management.base import BaseCommand

from zhiben.monitoring.mqtt import Ingestor, settings_from_env, topic_filter


class Command(BaseCommand):
    help = "订阅监测设备的 MQTT 读数并批量入库（ZHIBEN_MQTT_URL，默认 mqtt://127.0.0.1:1883）。"

    def add_arguments(self, parser):
        env = settings_from_env()
        parser.add_argument("--url", default=env["url"], help="MQTT 服务器，如 mqtt://127.0.0.1:1883")
        parser.add_argument("--prefix", default=env["prefix"], help="主题前缀（ZHIBEN_MQTT_TOPIC_PREFIX）")
        parser.add_argument("--client-id", default=env["client_id"], help="固定的客户端标识（持久会话）")
        parser.add_argument("--batch", type=int, default=2000, help="攒够多少条消息入库一次")
        parser.add_argument("--flush-ms", type=int, default=200, help="最长多少毫秒入库一次")
        parser.add_argument("--max-seconds", type=float, default=None, help="运行多少秒后退出（测试与基准）")

    def handle(self, *args, **options):
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        ingestor = Ingestor(
            url=options["url"],
            prefix=options["prefix"],
            client_id=options["client_id"],
            batch=options["batch"],
            flush_ms=options["flush_ms"],
        )
        self.stdout.write(f"订阅 {topic_filter(ingestor.prefix)}（{ingestor.url}，客户端 {ingestor.client_id}）")
        stats = ingestor.run(stop, max_seconds=options["max_seconds"])
        self.stdout.write(
            f"共收到 {stats['messages']} 条消息，入库 {stats['stored']} 条读数，拒收 {stats['rejected']} 条，"
            f"{stats['batches']} 批"
        )
