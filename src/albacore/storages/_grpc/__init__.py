"""The gRPC storage proxy: ``server`` serves one storage to many ``client.GrpcStorageProxy`` workers.

grpcio is imported when a proxy or a client is made (``pip install 'albacore[grpc]'``), not on import.
"""

from albacore.storages._grpc import client, server

__all__ = ["client", "server"]
