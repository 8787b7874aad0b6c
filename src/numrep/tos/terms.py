"""The text of the published terms, served at the ``terms_url`` of each product.

These are numrep's built-in default texts. An operator who publishes numrep to
other parties replaces them with their own terms and raises the version in
``CURRENT_TERMS``, so every account is asked to agree again.
"""

from __future__ import annotations

from numrep.tos.service import CURRENT_TERMS, ProductType

_NUMBER_REPUTATION = """\
Number Reputation Terms of Service, version {version}
Effective {effective_date}

1. The service. This service records the telephone numbers that you register
   under your enterprises, looks up how call-analytics networks label them,
   and, when you ask, sends those numbers to the networks for re-evaluation
   (remediation).

2. Your numbers. You may register only numbers that you or the enterprise you
   act for are entitled to use, and you must be able to show that with a
   Letter of Authorization when asked.

3. Accurate information. The enterprise details, contacts and call purposes
   you send must be true and complete. Remediation requests that misdescribe
   the calls made from a number may be refused.

4. No guarantee of outcome. Each network decides on its own whether to change
   a label. A completed remediation request reports what the networks
   decided; it does not promise that a number will stay unlabeled.

5. Changes. When these terms change, their version changes, and the terms
   status of your account reports that a new agreement is required.
"""

_BRANDED_CALLING = """\
Branded Calling Terms of Service, version {version}
Effective {effective_date}

This service records agreements to the Branded Calling terms so that clients
written for that product keep working, but it offers no branded calling
itself. Agreeing to these terms enables nothing in this service.
"""

_TEMPLATES: dict[ProductType, str] = {
    ProductType.NUMBER_REPUTATION: _NUMBER_REPUTATION,
    ProductType.BRANDED_CALLING: _BRANDED_CALLING,
}


def terms_text(product_type: ProductType) -> str:
    """Return the plain-text terms of the product's current version."""
    terms = CURRENT_TERMS[product_type]
    return _TEMPLATES[product_type].format(
        version=terms.version, effective_date=terms.effective_date.isoformat()
    )
