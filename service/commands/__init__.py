"""The CLI's commands: ``esgkg X`` lives in ``X.py`` as the click command ``X``, and
``service/cli.py`` registers each by name. ``common.py`` holds what they share. Each is thin:
it parses options, calls the library and prints."""
