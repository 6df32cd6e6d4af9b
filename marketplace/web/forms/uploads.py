"""Files chosen in a multipart form, as the domain's Upload values (empty file inputs are skipped)."""

from __future__ import annotations

from starlette.datastructures import FormData, UploadFile

from marketplace.challenges.files import Upload


def uploads_from(form: FormData, name: str = "attachments") -> list[Upload]:
    files = []
    for item in form.getlist(name):
        if isinstance(item, UploadFile) and (item.filename or item.size):
            item.file.seek(0)
            files.append(Upload(filename=item.filename or "", data=item.file.read()))
    return files
