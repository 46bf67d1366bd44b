"""An upload on the Data page, from validating it to loading it: the files saved under their own names (a
table is recognised by its file name) and their validation (`loader.validate_for_load`), kept together so
that Load loads what was validated without reading the files again (`loader.load_paths(validated=...)`).

Nothing of an upload outlives its use: `discard` removes the saved files and the validation's staged rows
(the page calls it when other files are chosen, the uploader is cleared, or the load succeeded); the
garbage collector does the same when a session is dropped, and so does the process's exit; `serve.py`
clears what a killed server left (`serving.clear_uploads`, and the store's sweep of staging folders)."""

from __future__ import annotations

import shutil
import tempfile
import weakref
from pathlib import Path

from pipelines.access import serving
from pipelines.ingest import loader


class KeptUpload:
    def __init__(self, uploads, db: Path, lang: str) -> None:
        root = serving.upload_root(db)
        root.mkdir(parents=True, exist_ok=True)
        self.folder = Path(tempfile.mkdtemp(dir=root))
        self._remove = weakref.finalize(self, shutil.rmtree, self.folder, True)
        self.validation: loader.Validation | None = None
        try:
            for f in uploads:
                (self.folder / f.name).write_bytes(f.getvalue())
            self.paths = sorted(self.folder.iterdir())
            self.validation = loader.validate_for_load(self.paths, db, lang)
        except BaseException:
            self.discard()
            raise

    @property
    def report(self) -> loader.LoadReport:
        return self.validation.report

    def discard(self) -> None:
        """Remove the saved files and the staged rows (again is harmless)."""
        if self.validation is not None:
            self.validation.discard()
        self._remove()
