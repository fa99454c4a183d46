from .gzip_local_backend import GZIP_LOCAL_BACKEND, GzipLocalBackend

__all__ = ['GZIP_LOCAL_BACKEND', 'GzipLocalBackend']
