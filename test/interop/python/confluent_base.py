"""What the confluent-kafka (librdkafka) drivers share: the admin client, the client info line,
and creating and deleting the scenario's topic."""

import confluent_kafka
from confluent_kafka.admin import AdminClient, NewTopic

CLIENT = "confluent-kafka-python"


class ConfluentDriver:
    def __init__(self, args, admin_client_id):
        self.args = args
        self.conf = {"bootstrap.servers": args.bootstrap}
        self.admin = AdminClient(dict(self.conf, **{"client.id": admin_client_id}))
        self.info = {"library": "confluent-kafka", "version": confluent_kafka.__version__,
                     "librdkafka": confluent_kafka.libversion()[0]}

    def create_topic(self, topic, partitions):
        for f in self.admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1)]).values():
            f.result(30)

    def delete_topic(self, topic):
        for f in self.admin.delete_topics([topic]).values():
            f.result(30)

    def close(self):
        pass
