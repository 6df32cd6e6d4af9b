"""Full-text search and recommendations over matching/: the only package that imports matching.

The domain notifies it through one narrow call (marketplace/documents.py `document_changed`);
importing this package installs the index there. Imports run search → domain, never back.
"""

from marketplace import documents as _documents
from marketplace.search import index as _index

_documents.install(_index)
