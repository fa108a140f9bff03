"""Questions of one municipality to all, their answers, and the accepted one."""
