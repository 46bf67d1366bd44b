"""tierwatch pipelines: everything that is not UI. Never imports streamlit."""
