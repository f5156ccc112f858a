"""Foot First — Streamlit front end (start page; the full app grows here)."""

import streamlit as st

st.set_page_config(page_title="Foot First", page_icon="🦶", layout="wide")
st.title("Foot First — single-leg balance check")
st.write("Stand on one leg in front of a camera; Foot First measures sway and knee valgus and suggests what to train first.")
st.info("A screening and progress-tracking aid, not a diagnosis.")
