"""pytest fixtures for minikafka: see README.md. The broker API is usable without pytest too."""
from .launcher import Launcher, MiniKafka, MiniKafkaError, find_launcher

__all__ = ["Launcher", "MiniKafka", "MiniKafkaError", "find_launcher"]
