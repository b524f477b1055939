"""Issue 17, Deliver 3: nothing of the user's is overwritten. `images save` over a file that is not a
monlab archive, `lab --report DIR` into a folder of the user's, `export` over files edited since:
each refused with one sentence naming --force, exit 3, the file as it was. (Teardown and images:
tests/test_stack_heal.py, on the real engine.)"""

from __future__ import annotations


import pytest

from monlab.errors import NotOurs
from monlab.report.folder import MARKER, record_report, require_report_folder
from monlab_cli import monlab


def assert_refused(result, path, before: bytes):
    said = " ".join(result.stderr.split())
    assert result.returncode == 3, result.stderr
    assert "--force" in said and "Traceback" not in said, said
    assert path.read_bytes() == before, "the file is untouched"


def test_images_save_refuses_a_file_that_is_not_a_monlab_archive(tmp_path):
    mine = tmp_path / "thesis.tar"
    mine.write_bytes(b"three years of work")
    assert_refused(monlab("images", "save", str(mine)), mine, b"three years of work")


def test_lab_report_refuses_a_folder_holding_the_users_files_before_any_section_runs(tmp_path):
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "index.html").write_text("<h1>my homepage</h1>")
    result = monlab("lab", "business", "--project", "wt17-no-such-stack", "--report", str(folder))
    assert_refused(result, folder / "index.html", b"<h1>my homepage</h1>")
    assert sorted(p.name for p in folder.iterdir()) == ["index.html"]


def test_a_previous_report_may_be_replaced_but_not_one_with_files_added_or_edited(tmp_path):
    folder = tmp_path / "report"
    folder.mkdir()
    written = [folder / "results.json", folder / "index.html"]
    for path in written:
        path.write_text(f"report {path.name}")
    record_report(folder, written)
    assert (folder / MARKER).is_file()
    require_report_folder(folder, force=False)  # monlab's own previous report: replaceable
    (folder / "notes.txt").write_text("mine")
    with pytest.raises(NotOurs, match="notes.txt"):
        require_report_folder(folder, force=False)
    (folder / "notes.txt").unlink()
    (folder / "index.html").write_text("edited by hand")
    with pytest.raises(NotOurs, match="index.html"):
        require_report_folder(folder, force=False)
    require_report_folder(folder, force=True)


def test_export_refuses_to_replace_a_file_edited_since_unless_forced(tmp_path):
    out = tmp_path / "out"
    assert monlab("export", "compose", str(out), "--offline", "-p", "wt17-export").returncode == 0
    config = out / "prometheus" / "prometheus.yml"
    assert monlab("export", "compose", str(out), "--offline", "-p", "wt17-export").returncode == 0, "unedited: replaced"
    config.write_text(config.read_text() + "# my own scrape job\n")
    edited = config.read_bytes()
    assert_refused(monlab("export", "compose", str(out), "--offline", "-p", "wt17-export", "--port-offset", "5"),
                   config, edited)
    assert "127.0.0.1:5000:5000" in (out / "compose.yaml").read_text(), "nothing of the export was rewritten"
    forced = monlab("export", "compose", str(out), "--offline", "-p", "wt17-export", "--port-offset", "5", "--force")
    assert forced.returncode == 0, forced.stderr
    assert b"# my own scrape job" not in config.read_bytes()
    assert "127.0.0.1:5005:5000" in (out / "compose.yaml").read_text()


def test_export_refuses_a_file_of_the_users_where_it_would_write_a_new_one(tmp_path):
    from monlab.export.source import ExportFile
    from monlab.export.write import write_export

    out = tmp_path / "out"
    write_export(out, {"a.yml": ExportFile("a\n")})
    (out / "b.yml").write_text("the user's own b")
    with pytest.raises(NotOurs, match="b.yml"):
        write_export(out, {"a.yml": ExportFile("a\n"), "b.yml": ExportFile("b\n")})
    assert (out / "b.yml").read_text() == "the user's own b"


def test_images_save_may_replace_a_previous_monlab_archive(tmp_path):
    import io
    import json
    import tarfile

    from monlab.images.archive import refuse_replacing

    previous = tmp_path / "images.tar"
    members = {"manifest.json": json.dumps([{"Config": "c.json", "RepoTags": ["monlab/app-base:bookworm"],
                                             "Layers": ["l/layer.tar"]}]).encode(), "c.json": b"{}", "l/layer.tar": b"x"}
    with tarfile.open(previous, "w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    refuse_replacing(previous, force=False)  # monlab's own archive: no refusal
    refuse_replacing(tmp_path / "new.tar", force=False)  # nothing there yet
    previous.write_bytes(previous.read_bytes()[:700])  # cut short: no longer a whole archive of monlab's
    with pytest.raises(NotOurs, match="--force"):
        refuse_replacing(previous, force=False)
