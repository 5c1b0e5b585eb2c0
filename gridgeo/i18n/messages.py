"""Messages shown in any language: a key with parameters (``Msg``), a list of parts (``Seq``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from gridgeo.i18n.catalogue import FAMILIES
from gridgeo.i18n.lookup import DEFAULT_LANG, t


@dataclass(frozen=True)
class Msg:
    """A message to show in any language: a catalogue key and its ``str.format`` parameters.

    A parameter that is itself a ``Msg`` (a reason, a unit word) is rendered in the same
    language first. A template whose fields do not match the parameters is shown as the bare
    template.
    """

    key: str
    params: dict = field(default_factory=dict, hash=False, compare=False)

    def render(self, lang: str = DEFAULT_LANG) -> str:
        """The message in ``lang``."""
        values = {k: v.render(lang) if isinstance(v, Msg | Seq) else v for k, v in self.params.items()}
        text = t(self.key, lang)
        try:
            return text.format(**values)
        except (KeyError, IndexError, ValueError):
            return text


@dataclass(frozen=True)
class Seq:
    """A list of parts (``Msg`` or plain text) joined with ``sep`` (text, or a ``Msg`` such as
    " or " / "或"; by default ", " / "、"), as one ``Msg`` parameter."""

    items: tuple = ()
    sep: object = None

    def render(self, lang: str = DEFAULT_LANG) -> str:
        """The parts in ``lang``, joined."""
        sep = Msg("sep_list") if self.sep is None else self.sep
        return render(sep, lang).join(render(item, lang) for item in self.items)


def word(family: str, name: object) -> Msg | str:
    """``Msg(family + name)`` when ``name`` is a member of the registered key family, else ``name``
    as text: a canonical field (``word("fld_", "street_code")``) translates, a file's own field
    name stays as it is."""
    return Msg(f"{family}{name}") if str(name) in FAMILIES[family] else str(name)


def render(message, lang: str = DEFAULT_LANG) -> str:
    """A ``Msg``, an object carrying one in ``.msg`` (an error), or any other object as text."""
    msg = message if isinstance(message, Msg | Seq) else getattr(message, "msg", None)
    return msg.render(lang) if isinstance(msg, Msg | Seq) else str(message)
