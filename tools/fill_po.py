"""Fill empty msgstr entries of the zh catalog from a JSON mapping {msgid: msgstr} (maintenance helper:
python tools/fill_po.py mapping.json). Leaves existing translations untouched."""
import json
import sys

from babel.messages.pofile import read_po, write_po

PO = "app/translations/zh/LC_MESSAGES/messages.po"


def main(mapping_file: str) -> None:
    mapping = json.load(open(mapping_file, encoding="utf-8"))
    with open(PO, "rb") as f:
        catalog = read_po(f)
    missing = []
    for msg in catalog:
        if msg.id and not msg.string:
            if msg.id in mapping:
                msg.string = mapping[msg.id]
            else:
                missing.append(msg.id)
    with open(PO, "wb") as f:
        write_po(f, catalog, width=120)
    for m in missing:
        print("untranslated:", m)


if __name__ == "__main__":
    main(sys.argv[1])
