"""Agent assist: forbidden-phrase, behaviour and etiquette checks for replies; kind, cause,
emotion, difficult-type, urgency and needs for customer messages. Public entry point:
kefu.assist.analyze.analyze."""
