"""The client's address for django-axes (AXES_CLIENT_IP_CALLABLE): the same as the access log's,
read through JINQIU_TRUSTED_PROXIES proxies only (see `jinqiu.core.web.client_ip`)."""

from jinqiu.core.web import client_ip

__all__ = ["client_ip"]
