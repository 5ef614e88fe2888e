"""Public capture: hosted forms and the capture endpoint's submissions."""
