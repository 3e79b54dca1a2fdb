"""pytest fixtures for minikafka: see README.md. The broker API is usable without pytest too."""
from .control import ControlError
from .launcher import Launcher, MiniKafka, MiniKafkaError, find_launcher

__all__ = ["ControlError", "Launcher", "MiniKafka", "MiniKafkaError", "find_launcher"]
