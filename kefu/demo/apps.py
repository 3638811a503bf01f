from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "kefu.demo"
    label = "demo"
    verbose_name = "Kefu demo data"

    def serve_banner(self) -> list[str]:
        """The demo logins, printed by `python -m kefu serve` when the demo data is loaded."""
        from kefu.demo.content import DEMO_PASSWORD
        from kefu.demo.loader import demo_logins

        logins = demo_logins()
        if not logins:
            return []
        lines = [f"Demo logins (password {DEMO_PASSWORD}):"]
        lines += [f"  {d.username:<11} {d.role:<13} {d.display_name}" for d in logins]
        return lines
