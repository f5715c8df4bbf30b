"""The contributor guide, generated from the code and the data: "Contribute / 贡献".

:func:`render_contribute_pages` renders the site page ``contribute.md`` in English or Chinese:
how to add an entry, then three tables that are never written by hand:

* the **field table**, from the Pydantic model :class:`~aigc_resources.schema.Resource` (names,
  types, limits, help in both languages: :func:`field_rows` works for any model);
* the **error-code table**, from :data:`aigc_resources.diagnostics.RULES`;
* the **taxonomy tables**, from ``catalog/taxonomy.yaml``.

:func:`update_contributing` puts the same (English) tables into ``CONTRIBUTING.md`` between
``<!-- BEGIN GENERATED: name -->`` / ``<!-- END GENERATED: name -->`` markers; a test fails
when the committed file is stale (``aigc-resources contributing`` refreshes it).

Table cells go through :func:`aigc_resources.render.text.md_inline`, so text from the code or
the taxonomy is shown, never interpreted as HTML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from ..diagnostics import RULES, Severity
from ..errors import UserError
from ..schema import ARXIV_PATTERN, LANGUAGE_PATTERN, SLUG_PATTERN, Resource, Taxonomy
from .text import md_inline

LANGS = ("en", "zh")
#: The page's title in the site navigation, per language.
NAV_TITLE = {"en": "Contribute", "zh": "贡献"}

_T = {
    "en": {
        "field": "Field", "type": "Type", "required": "Required", "meaning": "Meaning", "yes": "yes", "no": "",
        "code": "Code", "severity": "Severity", "fix": "How to fix", "error": "error", "warning": "warning",
        "id": "Id", "name": "Name", "name_other": "中文", "description": "Description", "group": "Group",
        "text": "text", "url": "http(s) URL", "date": "date (YYYY-MM-DD)", "int": "whole number",
        "bool": "`true` / `false`", "list": "list of {}", "one of": "one of {}", "from": "taxonomy `{}`",
        "mapping": "mapping: {}", "chars": "{}-{} characters", "at least": "at least {} item(s)",
        "slug": "slug (`lower-case-kebab`)", "pattern": "form `{}`", "language": "language tag (BCP 47)",
        "arxiv": "arXiv identifier (`YYMM.NNNNN`)", "sep": ", ",
    },
    "zh": {
        "field": "字段", "type": "类型", "required": "必填", "meaning": "含义", "yes": "是", "no": "",
        "code": "代码", "severity": "级别", "fix": "修正方法", "error": "错误", "warning": "警告",
        "id": "Id", "name": "中文名", "name_other": "English", "description": "说明", "group": "主题组",
        "text": "文字", "url": "http(s) 网址", "date": "日期（YYYY-MM-DD）", "int": "整数",
        "bool": "`true` / `false`", "list": "{}列表", "one of": "取值之一：{}", "from": "分类体系 `{}`",
        "mapping": "映射：{}", "chars": "{}-{} 个字符", "at least": "至少 {} 项",
        "slug": "slug（`lower-case-kebab`）", "pattern": "格式 `{}`", "language": "语言标签（BCP 47）",
        "arxiv": "arXiv 编号（`YYMM.NNNNN`）", "sep": "，",
    },
}
#: Patterns of the schema shown by name rather than as a regular expression.
_PATTERN_NAMES = {SLUG_PATTERN: "slug", LANGUAGE_PATTERN: "language", ARXIV_PATTERN: "arxiv"}

_AXIS_TITLES = {
    "en": {"types": "Types", "modalities": "Modalities", "levels": "Levels", "topic_groups": "Topic groups",
           "topics": "Topics"},
    "zh": {"types": "类型", "modalities": "模态", "levels": "难度", "topic_groups": "主题组", "topics": "主题"},
}


@dataclass(frozen=True)
class FieldRow:
    """One row of a field table: the field, its type and limits in words, whether it is
    required, and its help in English and Chinese."""

    name: str
    type: str
    required: bool
    description: str
    description_zh: str


def _type_text(prop: dict[str, Any], defs: dict[str, Any], t: dict[str, str]) -> str:
    if "anyOf" in prop:
        options = [p for p in prop["anyOf"] if p.get("type") != "null"]
        return _type_text(options[0], defs, t) if len(options) == 1 else " / ".join(_type_text(p, defs, t) for p in options)
    if "$ref" in prop:
        target = defs[prop["$ref"].split("/")[-1]]
        return t["mapping"].format(", ".join(f"`{name}`" for name in target.get("properties", {})))
    kind = prop.get("type")
    if "x-taxonomy" in prop and kind != "array":
        return t["from"].format(prop["x-taxonomy"])
    if kind == "array":
        items = dict(prop.get("items", {}))
        if "x-taxonomy" in prop:
            items["x-taxonomy"] = prop["x-taxonomy"]
        text = t["list"].format(_type_text(items, defs, t))
        if prop.get("minItems"):
            text += t["sep"] + t["at least"].format(prop["minItems"])
        return text
    if "enum" in prop:
        return t["one of"].format(", ".join(f"`{v}`" for v in prop["enum"]))
    if "const" in prop:
        return f"`{prop['const']}`"
    if kind == "string":
        if prop.get("format") == "date":
            return t["date"]
        if prop.get("format") == "uri":
            return t["url"]
        text = t["text"]
        pattern = prop.get("pattern")
        if pattern in _PATTERN_NAMES:
            text = t[_PATTERN_NAMES[pattern]]
        elif pattern:
            text += t["sep"] + t["pattern"].format(pattern.replace("|", " or "))
        if "minLength" in prop and "maxLength" in prop and text == t["text"]:
            text += t["sep"] + t["chars"].format(prop["minLength"], prop["maxLength"])
        return text
    return {"integer": t["int"], "boolean": t["bool"], "number": t["int"]}.get(kind, str(kind))


def field_rows(model: type[BaseModel], lang: str = "en") -> list[FieldRow]:
    """The field table of ``model`` in ``lang``, in the model's field order.

    Taxonomy-backed fields are described by their axis (not by the list of values, which the
    taxonomy tables give), so this needs no catalog."""
    t = _T[lang]
    schema = model.model_json_schema(mode="validation")
    defs = schema.get("$defs", {})
    required = set(schema.get("required", []))
    rows = []
    for name, prop in schema["properties"].items():
        rows.append(FieldRow(name, _type_text(prop, defs, t), name in required,
                             prop.get("description", ""), prop.get("x-description-zh", "")))
    return rows


def _cell(text: str) -> str:
    """Inline Markdown safe for a table cell: HTML made inert, pipes escaped outside code."""
    parts = re.split(r"(`+[^`]*`+)", md_inline(text))
    return "".join(p if p.startswith("`") else p.replace("|", r"\|") for p in parts)


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def fields_table(lang: str = "en", model: type[BaseModel] = Resource) -> str:
    """The field table of ``model`` as Markdown."""
    t = _T[lang]
    rows = [[f"`{r.name}`", r.type, t["yes"] if r.required else t["no"],
             r.description_zh if lang == "zh" and r.description_zh else r.description]
            for r in field_rows(model, lang)]
    return _table([t["field"], t["type"], t["required"], t["meaning"]], rows)


def codes_table(lang: str = "en") -> str:
    """Every rule of :data:`RULES`: code, severity, meaning and fix, as Markdown."""
    t = _T[lang]
    rows = [[f"`{code}`", t["error"] if rule.severity is Severity.ERROR else t["warning"],
             rule.summary_zh if lang == "zh" else rule.summary, rule.hint_zh if lang == "zh" else rule.hint]
            for code, rule in RULES.items()]
    return _table([t["code"], t["severity"], t["meaning"], t["fix"]], rows)


def taxonomy_tables(taxonomy: Taxonomy, lang: str = "en", heading: str = "###") -> str:
    """One table per taxonomy axis (topics with their group), as Markdown."""
    t = _T[lang]
    groups = {g.id: (g.name_zh if lang == "zh" else g.name) for g in taxonomy.topic_groups}
    out = []
    for axis in Taxonomy.AXES:
        terms = getattr(taxonomy, axis)
        header = [t["id"], t["name"], t["name_other"], t["description"]]
        rows = []
        for term in terms:
            name, other = (term.name_zh, term.name) if lang == "zh" else (term.name, term.name_zh)
            row = [f"`{term.id}`", name, other, term.description_zh if lang == "zh" else term.description]
            if axis == "topics":
                row.insert(3, groups.get(getattr(term, "group", ""), ""))
            rows.append(row)
        if axis == "topics":
            header.insert(3, t["group"])
        out.append(f"{heading} {_AXIS_TITLES[lang][axis]} (`{axis}`)\n\n" + _table(header, rows))
    return "\n".join(out)


_PAGE = {
    "en": """---
title: Contribute
---

# Contribute · 贡献

Every resource in this catalog is one small YAML file, `catalog/resources/<type>/<id>.yaml`,
added by pull request. The validator checks every file in one run and points at the exact
line and column of each problem, with a code from the table below and a way to fix it.

## Add a resource in five steps

1. **Scaffold the file.** `aigc-resources new` asks for each value, or takes them as options;
   `--from-url URL` pre-fills the title, authors and year from the page's own metadata.
   It refuses to overwrite a file and writes only an entry that validates.
2. **Let your editor help.** Each entry starts with
   `# yaml-language-server: $schema=../../../schema/resource.schema.json`. Editors with the
   YAML language server (VS Code's YAML extension, Neovim, JetBrains) then complete field names
   and taxonomy values and underline mistakes as you type.
3. **Write in your own words**, in English (`description`) and Chinese (`description_zh`);
   plain text or inline Markdown, one paragraph, links only to `https://` pages.
4. **Check it**: `aigc-resources validate catalog/resources/<type>/<id>.yaml` prints every
   problem as `PATH:LINE:COL: CODE field: message (hint)`. With pre-commit installed, the same
   check runs on the files you commit.
5. **Open a pull request.** CI validates the catalog and shows each problem on the line of
   your diff, runs the tests, builds the site and checks the links you added.

Values are read as YAML 1.2 and nothing is changed silently: write `true`/`false` for flags,
quote text that looks like a number or a date (`arxiv: "1706.03762"`), and do not repeat keys.

## Entry fields

{fields}
## Error codes

Errors fail the check. Warnings fail it only under `--strict`, which CI uses.

{codes}
## Taxonomy

`type`, `modalities`, `topics` and `level` take the ids below (`catalog/taxonomy.yaml`).
To add a value, change that file in its own pull request.

{taxonomy}""",
    "zh": """---
title: 贡献
---

# 贡献 · Contribute

本目录中的每个资源都是一个小小的 YAML 文件：`catalog/resources/<类型>/<id>.yaml`，通过
拉取请求（pull request）添加。校验器一次检查所有文件，并指出每个问题所在的行和列，给出下表中的
错误代码和修正方法。

## 五步添加一个资源

1. **生成文件。** `aigc-resources new` 会逐项询问，也可以用选项直接给出；`--from-url URL`
   会从网页自身的元数据中预填标题、作者和年份。它不会覆盖已有文件，只写出能通过校验的条目。
2. **让编辑器帮忙。** 每个条目的第一行是
   `# yaml-language-server: $schema=../../../schema/resource.schema.json`。装有 YAML 语言服务的
   编辑器（VS Code 的 YAML 插件、Neovim、JetBrains）会补全字段名和分类取值，并在输入时标出错误。
3. **用自己的话写简介**：英文写在 `description`，中文写在 `description_zh`；纯文本或行内
   Markdown，只写一段，链接只指向 `https://` 页面。
4. **检查**：`aigc-resources validate catalog/resources/<类型>/<id>.yaml` 会把每个问题打印成
   `路径:行:列: 代码 字段: 说明 (提示)`。安装 pre-commit 后，提交时会对改动的文件做同样的检查。
5. **发起拉取请求。** CI 会校验目录，并把每个问题标注在你改动的那一行上，运行测试、构建网站，
   并检查你新增的链接。

所有取值按 YAML 1.2 读取，不会被悄悄改变：布尔值写 `true`/`false`；看起来像数字或日期的文字
要加引号（`arxiv: "1706.03762"`）；不要重复写同一个键。

## 条目字段

{fields}
## 错误代码

错误会让检查失败；警告只在 `--strict` 下（CI 使用该选项）才会失败。

{codes}
## 分类体系

`type`、`modalities`、`topics` 和 `level` 取下表中的 id（`catalog/taxonomy.yaml`）。
如需新增取值，请在单独的拉取请求中修改该文件。

{taxonomy}""",
}


#: A line break inside a paragraph with Chinese on both sides: the browser shows it as a space.
_CJK_LINE_BREAK = re.compile(r"(?<=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef])\n[ \t]*"
                             r"(?=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef])")


def render_contribute_pages(taxonomy: Taxonomy, lang: str) -> dict[str, str]:
    """The contributor guide for the site in ``lang`` (``"en"`` or ``"zh"``).

    Returns ``{"contribute.md": Markdown}``. Pure: the same taxonomy and code always give the
    same text.

    Raises:
        ValueError: ``lang`` is not one of :data:`LANGS`.
    """
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")
    page = _CJK_LINE_BREAK.sub("", _PAGE[lang]).format(fields=fields_table(lang), codes=codes_table(lang),
                                                        taxonomy=taxonomy_tables(taxonomy, lang))
    return {"contribute.md": page}


#: Generated regions of CONTRIBUTING.md: marker name -> function of the taxonomy.
CONTRIBUTING_SECTIONS = {
    "fields": lambda taxonomy: fields_table("en"),
    "codes": lambda taxonomy: codes_table("en"),
    "taxonomy": lambda taxonomy: taxonomy_tables(taxonomy, "en", heading="###"),
}
_REGION = re.compile(r"(<!-- BEGIN GENERATED: (?P<name>[a-z-]+) -->\n)(?P<body>.*?)(<!-- END GENERATED: (?P=name) -->)", re.S)


def update_contributing(text: str, taxonomy: Taxonomy, name: str = "CONTRIBUTING.md") -> str:
    """``text`` (CONTRIBUTING.md, or the file ``name``) with every generated region rewritten
    from the code and data.

    Raises:
        UserError: a region of :data:`CONTRIBUTING_SECTIONS` has no markers in ``text``.
    """
    found = {m.group("name") for m in _REGION.finditer(text)}
    missing = sorted(set(CONTRIBUTING_SECTIONS) - found)
    if missing:
        raise UserError(f"{name} lacks the markers <!-- BEGIN GENERATED: {missing[0]} --> ... "
                        f"<!-- END GENERATED: {missing[0]} -->")

    def fill(match: re.Match[str]) -> str:
        make = CONTRIBUTING_SECTIONS.get(match.group("name"))
        if make is None:
            return match.group(0)
        return match.group(1) + "\n" + make(taxonomy) + "\n" + match.group(4)

    return _REGION.sub(fill, text)
