"""The »Abgleichen« dialog (sync off the UI thread with a progress bar) and the »Konflikte« view."""
