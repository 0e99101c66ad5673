"""The desktop window (PySide6). Entry point: `autosync` / `autosync gui` -> gui.app.run()."""
