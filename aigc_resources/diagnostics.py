"""Diagnostics: every problem the validator finds, located at file:line:column.

A :class:`Diagnostic` is one problem in one place. Each has a stable ``code`` taken from
:data:`RULES`, the one table that says, for every rule, its severity, what it means and how
to fix it. The contributor docs are generated from that table, so a rule without an entry
there cannot be raised (:func:`make` refuses unknown codes).

Severity is policy, not a property of the text: ``--strict`` promotes warnings to failures
(see :meth:`Severity.fails`).
"""

from __future__ import annotations

import dataclasses
import enum
import re
from dataclasses import dataclass
from pathlib import Path


class Severity(str, enum.Enum):
    """How bad a diagnostic is. Errors always fail a run; warnings fail under ``--strict``."""

    ERROR = "error"
    WARNING = "warning"

    def fails(self, strict: bool) -> bool:
        """True when a diagnostic of this severity makes the run fail."""
        return self is Severity.ERROR or strict


@dataclass(frozen=True)
class Rule:
    """One validator rule: a stable code, its default severity, a summary and a fix.

    ``summary_zh`` and ``hint_zh`` say the same in Chinese for the contributor guide's Chinese
    page; diagnostics printed by the command line use the English text.
    """

    code: str
    severity: Severity
    summary: str
    hint: str
    summary_zh: str
    hint_zh: str


def _rules(*rules: Rule) -> dict[str, Rule]:
    table: dict[str, Rule] = {}
    for rule in rules:
        if rule.code in table:
            raise ValueError(f"duplicate rule code {rule.code}")
        prefix = "E-" if rule.severity is Severity.ERROR else "W-"
        if not rule.code.startswith(prefix):
            raise ValueError(f"rule {rule.code}: {rule.severity.value} codes start with {prefix}")
        table[rule.code] = rule
    return table


E, W = Severity.ERROR, Severity.WARNING

#: Every rule the validator enforces, keyed by code. Codes are stable: never reuse or rename one.
#: The contributor guide's error-code table is generated from this table, in this order.
RULES: dict[str, Rule] = _rules(
    # -- files and YAML syntax ----------------------------------------------------------------
    Rule("E-FILE-READ", E, "The file cannot be read.", "Check that the path exists and is readable.",
         "无法读取该文件。", "检查路径是否存在、是否有读取权限。"),
    Rule("E-FILE-EMPTY", E, "The file is empty.", "Write the entry's fields, or delete the file.",
         "文件为空。", "填写条目的字段，或删除该文件。"),
    Rule("E-FILE-TOO-LARGE", E, "The file is larger than the size limit.",
         "An entry is a few hundred bytes; split or shorten it.",
         "文件超过大小上限。", "一个条目通常只有几百字节，请精简内容。"),
    Rule("E-FILE-ENCODING", E, "The file is not valid UTF-8.", "Save the file as UTF-8.",
         "文件不是有效的 UTF-8 编码。", "请以 UTF-8 编码保存文件。"),
    Rule("E-FILE-BOM", E, "The file starts with a byte-order mark (BOM).",
         "Save the file as UTF-8 without BOM.",
         "文件以字节顺序标记（BOM）开头。", "请保存为不带 BOM 的 UTF-8。"),
    Rule("E-FILE-NAME", E, "The file name is not `<slug>.yaml`.",
         "Name entry files after their id, lower-case kebab-case, with the `.yaml` extension.",
         "文件名不是 `<slug>.yaml` 形式。", "文件名应与 id 相同，使用小写字母、数字和连字符，扩展名为 `.yaml`。"),
    Rule("E-FILE-LINK", E, "The entry file is a symbolic link.",
         "Commit the entry as a regular file, not a link to another file.",
         "条目文件是符号链接。", "请提交普通文件，而不是指向其他文件的链接。"),
    Rule("E-FILE-PLACE", E, "The file is not where the catalog reads entries from, so it would be ignored.",
         "Move it to `catalog/resources/<type>/<id>.yaml`, or remove it.",
         "文件不在目录读取条目的位置，会被忽略。", "请移动到 `catalog/resources/<类型>/<id>.yaml`，或删除。"),
    Rule("E-YAML-SYNTAX", E, "The YAML cannot be parsed.",
         "Fix the syntax at the position shown; quote values that contain `: ` or start with a special character.",
         "YAML 无法解析。", "在所示位置修正语法；值中含有 `: ` 或以特殊字符开头时请加引号。"),
    Rule("E-YAML-TAB", E, "A tab character is in the file.", "Indent with spaces and replace tabs in values with spaces.",
         "文件中有制表符（Tab）。", "请用空格缩进，并把值中的 Tab 换成空格。"),
    Rule("E-YAML-DUPLICATE-KEY", E, "A key appears twice in one mapping (YAML would silently keep the last).",
         "Remove one of the two keys.",
         "同一映射中某个键出现了两次（YAML 会悄悄只保留最后一个）。", "删除其中一个键。"),
    Rule("E-YAML-MULTIPLE-DOCUMENTS", E, "The file holds more than one YAML document.",
         "Keep one entry per file; remove the `---` separator and what follows.",
         "文件中有多个 YAML 文档。", "每个文件只写一个条目；删除 `---` 分隔符及其后的内容。"),
    Rule("E-YAML-ALIAS", E, "YAML anchors and aliases are not allowed in entries.",
         "Write the value out in full instead of using `&anchor` / `*alias`.",
         "条目中不允许使用 YAML 锚点和别名。", "不要使用 `&anchor` / `*alias`，请完整写出取值。"),
    Rule("E-YAML-TAG", E, "An explicit YAML tag (`!!python/...`, `!foo`) is not allowed.",
         "Remove the tag; write a plain value.",
         "不允许使用显式 YAML 标签（`!!python/...`、`!foo`）。", "删除标签，直接写值。"),
    Rule("E-YAML-TOO-DEEP", E, "Values are nested deeper than any entry needs.",
         "Entries nest at most three levels (`links:` then `code:`); flatten the value.",
         "取值嵌套过深。", "条目最多嵌套三层（如 `links:` 下的 `code:`），请展平。"),
    Rule("E-YAML-NOT-MAPPING", E, "The document is not a mapping of field names to values.",
         "Write the entry as `key: value` lines.",
         "文档不是“字段名: 值”的映射。", "请按 `key: value` 的形式逐行书写条目。"),
    Rule("E-YAML-AMBIGUOUS-BOOL", E, "A YAML 1.1 boolean word (`yes`, `no`, `on`, `off`, `y`, `n`) was written unquoted.",
         "Write `true` or `false` for a flag, or quote the word if it is text.",
         "写了未加引号的 YAML 1.1 布尔词（`yes`、`no`、`on`、`off`、`y`、`n`）。",
         "布尔值请写 `true` 或 `false`；如果是文字，请加引号。"),
    Rule("E-YAML-COERCED", E, "An unquoted value was read as a number or a date where text is expected.",
         "Quote the value so it stays exactly as written, e.g. \"1706.03762\".",
         "未加引号的值被读成了数字或日期，而这里需要文字。", "给值加上引号以保持原样，例如 \"1706.03762\"。"),
    # -- fields ---------------------------------------------------------------------------------
    Rule("E-FIELD-UNKNOWN", E, "The field is not part of the schema.",
         "Remove it or fix its spelling; see the field table in the contributor guide.",
         "该字段不在模式中。", "删除它或修正拼写；参见贡献指南中的字段表。"),
    Rule("E-FIELD-MISSING", E, "A required field is missing.", "Add the field.",
         "缺少必填字段。", "补上该字段。"),
    Rule("E-FIELD-EMPTY", E, "A field is present but has no value.",
         "Write the value after the colon, or remove the line if the field is optional.",
         "字段存在但没有取值。", "在冒号后填写取值；可选字段也可以整行删除。"),
    Rule("E-FIELD-TYPE", E, "The value has the wrong type.", "Use the type shown in the field table.",
         "取值类型错误。", "使用字段表中所示的类型。"),
    Rule("E-FIELD-VALUE", E, "The value is not allowed for this field.", "Use one of the allowed values or forms.",
         "该字段不接受这个取值。", "使用允许的取值或格式。"),
    Rule("E-FIELD-LENGTH", E, "The value is too short or too long.", "Keep it within the limits shown.",
         "取值过短或过长。", "保持在所示的长度范围内。"),
    Rule("E-LIST-DUPLICATE", E, "A list holds the same value twice.", "Remove the repeated value.",
         "列表中有重复的值。", "删除重复的值。"),
    Rule("E-ID-SLUG", E, "The id is not a slug, or is the reserved `index`.",
         "Use lower-case letters, digits and single hyphens, like `attention-is-all-you-need`.",
         "id 不是合法的 slug，或是保留字 `index`。", "只用小写字母、数字和单个连字符，例如 `attention-is-all-you-need`。"),
    Rule("E-ID-MISMATCH", E, "The id differs from the file name.", "Rename the file or change the id so they agree.",
         "id 与文件名不一致。", "重命名文件或修改 id，使两者一致。"),
    Rule("E-ID-DUPLICATE", E, "Two entries have the same id.", "Give one of them a different id (and file name).",
         "两个条目的 id 相同。", "给其中一个换一个 id（及文件名）。"),
    Rule("E-TYPE-FOLDER", E, "The entry sits in a folder that does not match its type.",
         "Move the file to `catalog/resources/<type>/`.",
         "条目所在文件夹与其类型不符。", "把文件移到 `catalog/resources/<类型>/`。"),
    Rule("E-PAPER-YEAR", E, "A paper has no year.", "Add `year:` with the year of first publication.",
         "论文缺少年份。", "添加 `year:`，填写首次发表的年份。"),
    Rule("E-YEAR-RANGE", E, "The year is outside the plausible range.", "Use the four-digit year of publication.",
         "年份超出合理范围。", "填写四位数的发表年份。"),
    Rule("E-ADDED-FUTURE", E, "The `added` date is in the future.", "Use today's date or an earlier one.",
         "`added` 日期在未来。", "使用今天或更早的日期。"),
    Rule("E-ARXIV-FORM", E, "The arXiv identifier is not well formed.",
         "Write the bare identifier, quoted, like \"1706.03762\" (no `arXiv:` prefix, no URL).",
         "arXiv 编号格式不正确。", "只写编号本身并加引号，例如 \"1706.03762\"（不要 `arXiv:` 前缀或网址）。"),
    Rule("E-ARXIV-MISMATCH", E, "The `arxiv` field names another paper than the arXiv URL of the entry.",
         "Make `arxiv` and the arXiv link name the same paper.",
         "`arxiv` 字段与条目中的 arXiv 链接指向不同的论文。", "让 `arxiv` 字段与 arXiv 链接指向同一篇论文。"),
    # -- URLs -----------------------------------------------------------------------------------
    Rule("E-URL-INVALID", E, "The URL is not an absolute http(s) URL with a host.",
         "Write the full address, starting with https://.",
         "网址不是带主机名的完整 http(s) 地址。", "写出以 https:// 开头的完整地址。"),
    Rule("E-URL-SCHEME", E, "The URL scheme is not http or https.", "Link to an http(s) page.",
         "网址协议不是 http 或 https。", "请链接到 http(s) 页面。"),
    Rule("E-URL-CREDENTIALS", E, "The URL carries a user name or password.", "Remove `user:password@` from the URL.",
         "网址中带有用户名或密码。", "删除网址中的 `user:password@`。"),
    Rule("E-URL-WHITESPACE", E, "The URL contains whitespace or an invisible character.",
         "Remove it, or encode a space as %20.",
         "网址中有空白或不可见字符。", "删除它们；空格请编码为 %20。"),
    Rule("E-URL-TRACKING", E, "The URL carries tracking parameters (`utm_*` and the like).",
         "Remove the tracking parameters from the query string.",
         "网址带有跟踪参数（`utm_*` 等）。", "从查询字符串中删除跟踪参数。"),
    Rule("E-URL-PRIVATE-HOST", E, "The URL's host is one no reader can reach: loopback (`localhost`, `127.0.0.1`, "
         "`[::1]`), a private or link-local address (`10.x`, `192.168.x`), `0.0.0.0`, a single-label name "
         "(`http://intranet/`) or a special-use name (`.local`, `.internal`, `.lan`, `.home.arpa`, `.test`).",
         "Link to the resource's public address, the one that works from any computer on the internet.",
         "网址的主机是读者无法访问的地址：本机（`localhost`、`127.0.0.1`、`[::1]`）、内网或链路本地地址"
         "（`10.x`、`192.168.x`）、`0.0.0.0`、单标签主机名（`http://intranet/`）或专用域名"
         "（`.local`、`.internal`、`.lan`、`.home.arpa`、`.test`）。",
         "请改用该资源的公开网址，即在互联网上任何电脑都能打开的地址。"),
    Rule("E-URL-DUPLICATE", E, "The same resource URL appears in two entries (after canonicalisation).",
         "Keep one entry, or link the other with `related:`.",
         "两个条目的网址（规范化后）指向同一资源。", "只保留一个条目，或用 `related:` 关联另一个。"),
    # -- taxonomy and cross-references ------------------------------------------------------------
    Rule("E-TAXONOMY-UNKNOWN", E, "The value is not in the taxonomy.",
         "Use a value listed in `catalog/taxonomy.yaml`, or add it there first.",
         "该取值不在分类体系中。", "使用 `catalog/taxonomy.yaml` 中列出的取值，或先在那里添加。"),
    Rule("E-TAXONOMY-DUPLICATE", E, "A value is listed twice.", "Remove the repeated value.",
         "同一取值列出了两次。", "删除重复的取值。"),
    Rule("E-TAXONOMY-INVALID", E, "The taxonomy file itself is inconsistent.", "Fix `catalog/taxonomy.yaml` as described.",
         "分类体系文件本身不一致。", "按提示修正 `catalog/taxonomy.yaml`。"),
    Rule("E-RELATED-UNKNOWN", E, "A `related` id names no entry.", "Use the id of an existing entry.",
         "`related` 中的 id 没有对应的条目。", "使用已有条目的 id。"),
    Rule("E-RELATED-SELF", E, "An entry lists itself in `related`.", "Remove the entry's own id from `related`.",
         "条目在 `related` 中列出了自己。", "从 `related` 中删除条目自身的 id。"),
    # -- text -------------------------------------------------------------------------------------
    Rule("E-TEXT-HTML", E, "Raw HTML is not allowed in text fields.", "Use plain text or inline Markdown.",
         "文本字段中不允许使用原始 HTML。", "使用纯文本或行内 Markdown。"),
    Rule("E-TEXT-TEMPLATE", E, "Template syntax (`{{ }}`, `{% %}`) is not allowed in text fields.",
         "Remove the braces; write plain text.",
         "文本字段中不允许使用模板语法（`{{ }}`、`{% %}`）。", "删除这些括号，写纯文本。"),
    Rule("E-TEXT-PLACEHOLDER", E, "The text is still the importer's `TODO(import)` placeholder.",
         "Write the text yourself, in your own words, in place of the placeholder.",
         "文本仍是导入工具留下的 `TODO(import)` 占位符。", "用自己的话写出内容，替换占位符。"),
    # -- curation -----------------------------------------------------------------------------------
    Rule("E-SOURCE-NOTE", E, "A published entry still carries `source_note`, the imported list's own text.",
         "Write `description` and `description_zh` in your own words, then delete `source_note`; "
         "import drafts stay outside catalog/ until then.",
         "已发布的条目仍带有 `source_note`（导入来源列表的原文）。",
         "用自己的话写好 `description` 和 `description_zh`，再删除 `source_note`；在此之前草稿应留在 catalog/ 之外。"),
    Rule("E-TEXT-BLOCK-MARKDOWN", E, "Block-level Markdown (headings, lists, tables, code blocks) is not allowed in a description.",
         "Keep descriptions to one paragraph of inline Markdown.",
         "简介中不允许使用块级 Markdown（标题、列表、表格、代码块）。", "简介只写一段，可用行内 Markdown。"),
    Rule("E-TEXT-LINK", E, "A link in a description does not point at an acceptable http(s) URL.",
         "Write links as `[label](https://...)` with an absolute http(s) URL.",
         "简介中的链接没有指向合格的 http(s) 网址。", "链接请写成 `[文字](https://...)`，使用完整的 http(s) 网址。"),
    Rule("E-TEXT-IMAGE", E, "Images are not allowed in descriptions.",
         "Remove the `![...](...)` image; the site shows no pictures from other sites.",
         "简介中不允许插入图片。", "删除 `![...](...)` 图片；网站不显示来自其他网站的图片。"),
    Rule("E-TEXT-CONTROL", E, "A control, bidirectional or invisible character is in the file.",
         "Delete the character; it is invisible in most editors and can change how text reads.",
         "文件中有控制字符、双向文本控制符或不可见字符。", "删除该字符；它在多数编辑器里看不见，却可能改变文字的显示。"),
    Rule("E-TEXT-LINE-BREAK", E, "A one-line text (a title, a name, an author) holds a line break.",
         "Write it on one line; a block scalar (`|`) or a `\\n` escape keeps line breaks, so use neither here.",
         "单行文本（标题、名称、作者）中有换行。", "请写成一行；块标量（`|`）和 `\\n` 转义都会保留换行，这里不要使用。"),
    Rule("E-TEXT-LANGUAGE", E, "A description is in the wrong language for its field.",
         "Write English in `description` and Chinese in `description_zh`.",
         "简介的语言与字段不符。", "`description` 写英文，`description_zh` 写中文。"),
    # -- concepts and learning paths (catalog/concepts/, catalog/paths/) -------------------------
    Rule("E-CONCEPT-TOPIC", E, "The concept names no topic of the taxonomy.",
         "Use a topic id from `topics` in `catalog/taxonomy.yaml` (the concept file is named after it).",
         "概念指向的主题不在分类体系中。", "使用 `catalog/taxonomy.yaml` 中 `topics` 的主题 id（概念文件以它命名）。"),
    Rule("E-CONCEPT-PREREQUISITE", E, "A concept's prerequisites lead back to the concept itself.",
         "Remove the prerequisite that closes the cycle: a concept cannot be learnt before itself.",
         "概念的前置知识又绕回了它自己。", "删除形成循环的那一项前置知识：一个概念不可能先于它自己学习。"),
    Rule("E-PATH-STEP-TARGET", E, "A learning-path step must name exactly one of `entry` or `concept`.",
         "Write `entry: <entry id>` or `concept: <topic id>` in the step, not both.",
         "学习路径的每一步必须且只能指定 `entry` 或 `concept` 之一。", "在该步中写 `entry: <条目 id>` 或 `concept: <主题 id>`，不要同时写。"),
    Rule("E-PATH-ENTRY-UNKNOWN", E, "A learning-path step names no catalog entry.",
         "Use the id of an existing entry (its file name under `catalog/resources/`).",
         "学习路径中的某一步指向的条目不存在。", "使用已有条目的 id（即 `catalog/resources/` 下的文件名）。"),
    Rule("E-MATH-FORM", E, "The maths is not well formed.",
         "Pair every `$`, balance `{}` and keep display formulas on lines without `$` and without blank lines.",
         "数学公式格式有误。", "每个 `$` 都要成对，`{}` 要配平，展示公式中不要出现 `$` 和空行。"),
    # -- warnings -----------------------------------------------------------------------------------
    Rule("W-MISSING-ZH", W, "The entry has no Chinese description (`description_zh`).",
         "Add `description_zh:` with a description in Chinese, written in your own words.",
         "条目缺少中文简介（`description_zh`）。", "添加 `description_zh:`，用自己的话写中文简介。"),
    Rule("W-NO-TOPIC", W, "The entry has no topic.", "Add at least one topic from the taxonomy.",
         "条目没有主题。", "至少从分类体系中选一个主题。"),
    Rule("W-CONCEPT-MISSING", W, "A topic has no concept page.",
         "Add `catalog/concepts/<topic>.yaml` explaining the idea in English and Chinese.",
         "某个主题没有概念页。", "添加 `catalog/concepts/<主题>.yaml`，用中英文讲解这个概念。"),
    Rule("W-PATH-REPEATED-STEP", W, "A learning path visits the same entry or concept twice.",
         "Remove the repeated step, or merge the two reasons into one step.",
         "学习路径中同一条目或概念出现了两次。", "删除重复的步骤，或把两处理由合并到一步中。"),
    Rule("W-THIN-TOPIC", W, "A topic has fewer than 3 entries.", "Add entries for the topic, or merge it into a wider one.",
         "某个主题的条目少于 3 个。", "为该主题补充条目，或把它并入更宽的主题。"),
    Rule("W-UNUSED-VALUE", W, "A type, modality or level has no entry, or a topic group has no topic.",
         "Add entries that use it, or remove it from the taxonomy.",
         "某个类型、模态或难度没有任何条目，或某个主题组下没有主题。", "补充使用它的条目，或从分类体系中删除。"),
    Rule("W-SCHEMA-COMMENT", W, "The entry does not start with the `yaml-language-server` schema comment.",
         "Make the first line `# yaml-language-server: $schema=../../../schema/resource.schema.json`.",
         "条目开头缺少 `yaml-language-server` 模式注释。",
         "第一行写 `# yaml-language-server: $schema=../../../schema/resource.schema.json`。"),
    # -- coverage goals (catalog/coverage.yaml; `aigc-resources stats` lists the same gaps) -------
    Rule("W-TOPIC-NO-BEGINNER", W, "A topic has no entry at the beginner level.",
         "Add a beginner resource for the topic, or list the topic under `beginner_exempt` in coverage.yaml with the reason.",
         "某个主题没有入门级条目。", "为该主题补充入门资源，或在 coverage.yaml 的 `beginner_exempt` 中列出它并说明理由。"),
    Rule("W-CONCEPT-GAP", W, "A concept of the source article lacks a required kind of resource (its paper, a tutorial or course).",
         "Add an entry of the missing type with the concept's topic.",
         "源文章中的某个概念缺少必需的资源类型（奠基论文、教程或课程）。", "补充缺少类型的条目，并标上该概念的主题。"),
    Rule("W-FEW-CHINESE", W, "Fewer entries are in Chinese than coverage.yaml asks for.",
         "Add resources whose content is in Chinese (`languages: [zh]`).",
         "中文条目数少于 coverage.yaml 的要求。", "补充内容为中文的资源（`languages: [zh]`）。"),
    Rule("W-TOPIC-NOT-RECENT", W, "A fast-moving topic has too few entries published in recent years.",
         "Add recent resources (with `year`) for the topic.",
         "某个快速发展的主题近年发布的条目太少。", "为该主题补充近期资源（并填写 `year`）。"),
)


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem found in the catalog.

    ``line`` and ``column`` are 1-based (0 when the problem concerns a whole file with no
    position). ``field`` is a dotted path into the entry (``links.code``, ``topics[2]``) or ``""``.
    """

    path: str
    line: int
    column: int
    code: str
    field: str = ""
    message: str = ""
    hint: str = ""
    severity: Severity = dataclasses.field(default=Severity.ERROR, compare=False)

    def format(self) -> str:
        """Render as ``PATH:LINE:COL: CODE field: message (hint)``, the form editors and CI parse.

        Always one line: control, bidirectional and invisible characters that a value or a
        key brings into the text (a quoted key ``"a\\nb"``) are shown as escapes
        (:func:`printable`), so they can neither split the line nor reorder it on screen."""
        where = f"{self.path}:{self.line}:{self.column}"
        subject = f" {self.field}:" if self.field else ""
        hint = f" ({self.hint})" if self.hint else ""
        return printable(f"{where}: {self.code}{subject} {self.message}{hint}")


#: Characters that are invisible or reorder text, refused anywhere in a file (E-TEXT-CONTROL),
#: as the body of a regular-expression character class: C0 and C1 controls (tab, LF and CR
#: excepted: tabs have their own rule), DEL, soft hyphen, zero-width space, left-to-right /
#: right-to-left marks, bidirectional embeddings, overrides and isolates ("Trojan Source",
#: CVE-2021-42574), word joiner, line / paragraph separators, and a BOM inside the text.
#: Zero-width (non-)joiners stay allowed: scripts and emoji need them.
INVISIBLE_CHARACTERS = ("\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\xad\u200b\u200e\u200f\u202a-\u202e"
                        "\u2028\u2029\u2060-\u2064\u2066-\u2069\ufeff")
#: Characters a one-line diagnostic must not hold as such: the invisible ones above, and tab,
#: line feed and carriage return.
_UNPRINTABLE = re.compile(f"[\t\n\r{INVISIBLE_CHARACTERS}]")
_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str, *, keep_breaks: bool = False) -> str:
    """``text`` with each control, bidirectional or invisible character written as an escape
    (``\\n``, ``\\r``, ``\\t``, ``\\u202e``), so it prints on one line as it reads;
    ``keep_breaks`` leaves ``\\n`` and ``\\r`` for the caller to encode."""
    def escape(match: re.Match[str]) -> str:
        char = match.group()
        if keep_breaks and char in "\r\n":
            return char
        return _NAMED_ESCAPES.get(char, f"\\u{ord(char):04x}")

    return _UNPRINTABLE.sub(escape, text)


def github_annotation(d: Diagnostic, *, strict: bool = False) -> str:
    """``d`` as a GitHub Actions workflow command, shown on the pull request's diff at its line:
    ``::error file=PATH,line=L,col=C,title=CODE::message (hint)`` (``::warning`` when it does
    not fail the run under the policy). Control and invisible characters in the text are
    shown as escapes (:func:`printable`), except line breaks, which the runner's own escape
    (``%0A``) keeps inside the one command line. Values are escaped as the runner requires (``%``, CR
    and LF everywhere; ``:`` and ``,`` in properties), after GitHub's toolkit
    ``command.ts``."""
    level = "error" if d.severity.fails(strict) else "warning"
    props = {"file": d.path, "line": str(d.line or 1), "col": str(d.column or 1), "title": d.code}
    head = ",".join(f"{key}={_escape_property(value)}" for key, value in props.items())
    field = f"{d.field}: " if d.field else ""
    hint = f" ({d.hint})" if d.hint else ""
    return f"::{level} {head}::{_escape_data(printable(field + d.message + hint, keep_breaks=True))}"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def as_dict(d: Diagnostic) -> dict[str, object]:
    """``d`` as a JSON-ready dict (``--format json``)."""
    return {"path": d.path, "line": d.line, "column": d.column, "code": d.code, "severity": d.severity.value,
            "field": d.field, "message": d.message, "hint": d.hint}


def make(code: str, path: str | Path, line: int = 0, column: int = 0, field: str = "",
         message: str | None = None, hint: str | None = None) -> Diagnostic:
    """Build a :class:`Diagnostic` for a rule of :data:`RULES`.

    ``message`` and ``hint`` default to the rule's summary and fix; pass them to be specific
    (name the bad value, suggest the near miss).

    Raises:
        KeyError: ``code`` is not in :data:`RULES` (a programming error).
    """
    rule = RULES[code]
    return Diagnostic(
        path=str(path), line=line, column=column, code=code, field=field,
        message=message if message is not None else rule.summary,
        hint=hint if hint is not None else rule.hint,
        severity=rule.severity,
    )


def sort_key(d: Diagnostic) -> tuple[str, int, int, str]:
    """Order diagnostics by file, then line, column and code (stable, reproducible output)."""
    return (d.path, d.line, d.column, d.code)
