"""The import's report: every problem found, with its sheet, row and column,
and what the import did (or would do, on a dry run)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _


@dataclass
class ImportReport:
    errors: list[dict[str, Any]] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    bundles: int = 0
    dry_run: bool = False
    applied: bool = False

    def add(self, sheet: str, row: int | None, column: str, message: str) -> None:
        self.errors.append({"sheet": sheet, "row": row, "column": column, "message": message})

    @property
    def ok(self) -> bool:
        return not self.errors

    def lines(self) -> list[str]:
        out = []
        for e in self.errors:
            where = f"工作表“{e['sheet']}”" if e["sheet"] else ""
            if e["row"]:
                where += _("第 %(r)d 行") % {"r": e["row"]}
            if e["column"]:
                where += f"“{e['column']}”列"
            out.append(f"{where}：{e['message']}" if e["sheet"] or e["row"] else e["message"])
        return out

    def summary(self) -> str:
        if self.errors:
            return _("发现 %(n)d 处错误，未做任何修改。") % {"n": len(self.errors)}
        verb = _("校验通过（试运行，未修改）") if self.dry_run else _("导入完成")
        return _(
            "%(v)s：新增 %(c)d 个事项，更新 %(u)d 个，未变化 %(s)d 个，“一件事” %(b)d 个。"
        ) % {
            "v": verb,
            "c": self.created,
            "u": self.updated,
            "s": self.unchanged,
            "b": self.bundles,
        }

    def discard_counts(self) -> None:
        """A refused import changes nothing, so it counts nothing either."""
        self.created = self.updated = self.unchanged = self.bundles = 0
