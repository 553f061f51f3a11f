"""Build step: the YAML contract becomes the JSON the server embeds, plus the API-Version header.

Usage: build.py openapi.yaml out.json out_api_version.h
"""
import json
import re
import sys

import yaml

src, out_json, out_header = sys.argv[1:4]
with open(src, encoding="utf-8") as f:
    doc = yaml.safe_load(f)
version = str(doc["info"]["version"])
if not re.fullmatch(r"\d+\.\d+\.\d+", version):
    sys.exit(f"{src}: info.version {version!r} is not major.minor.patch")
with open(out_json, "w", encoding="utf-8") as f:
    json.dump(doc, f, separators=(",", ":"), ensure_ascii=False)
with open(out_header, "w", encoding="utf-8") as f:
    f.write("/* Generated from openapi/openapi.yaml: the contract's version. */\n")
    f.write(f'#define KR_API_VERSION "{version}"\n')
