"""admin (Python/FastAPI): back office for operators.

Each service runs in its own meshed namespace under the restricted Pod Security Standard.
"""

from marketplace_constructs import NamespaceProps

NAMESPACE = NamespaceProps(name="admin")
