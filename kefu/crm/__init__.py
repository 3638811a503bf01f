"""Customer relationship: value grading (RFM tiers), needs and churn warning.

Above cases because grading and churn read the service record (complaints, breaches,
return visits); who the customer is (profile, contacts, consents, consumption) stays in
``kefu.customers``.
"""
