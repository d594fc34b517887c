"""The font every PDF of the application is drawn with (defense protocols, badges, meeting schedules)."""

from pathlib import Path

from flask import current_app

SYSTEM_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def font_path() -> Path:
    """A TTF with Cyrillic glyphs: the configured one, the packaged Noto Sans (also present in the slim
    production image, which has no system fonts), or DejaVu from the system."""
    configured = current_app.config.get("PROTOCOL_FONT")
    if configured:
        return Path(configured)
    try:
        import fontpkg_noto_sans

        packaged = Path(fontpkg_noto_sans.__file__).parent / "files" / "NotoSans[wdth,wght].ttf"
        if packaged.exists():
            return packaged
    except ImportError:
        pass
    return SYSTEM_FONT
