"""Import and export screens: upload a CSV, map its columns, a dry run with each row's
errors, the import with a live progress bar, its result; the contacts export."""

from rapport.console.imports.pages import (
    check_file,
    import_file,
    import_job,
    import_record,
    imports_home,
    run_file,
    upload_file,
)

PAGES = [imports_home, upload_file, import_file, check_file, run_file, import_job,
         import_record]
