//! The axum example (`examples/axum`) end to end in headless Chromium with JavaScript off: the
//! flows every framework example passes (see `amplify_integration_tests::example_flows`).

amplify_integration_tests::example_browser_tests!("axum", example_axum::start);
