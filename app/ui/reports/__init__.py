"""The »Berichte« page: Smart-City indicators for a period, preview, charts and exports."""
