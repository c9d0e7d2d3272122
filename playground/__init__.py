"""The Streamlit app of CNN Playground: pages that draw what `cnn_core` computes."""
