"""Kefu (客服): customer service and customer care platform."""
