"""Satisfaction surveys: designer, distribution, answering, scores and the closed loop."""
