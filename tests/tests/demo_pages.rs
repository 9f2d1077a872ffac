//! The demo's pages as a product (issue 15), in a real headless Chromium: every page at 1280 px and 390 px
//! (no horizontal scroll, nothing sticking out of the viewport or overflowing its box, no serious or critical
//! axe-core violation, a screenshot each), signed in and out; a keyboard-only walk (sign in, add a todo, mark it
//! done, sign out) with the focus visible at every stop and a skip link to `<main>` on every page; the error
//! pages (a 404 and a refused todo inside the site's layout); and the upload form without JavaScript.
//!
//! Each test starts its own demo (with its own embedded amplify-local) and runs one flow of
//! `interop/browser/pages.mjs` (playwright-core driving Debian's Chromium; axe-core from npm). The screenshots and
//! the flow's JSON report (`<prefix>-report.json`) are saved in `target/e2e-screenshots/`. A test collects every
//! problem it finds before failing, so one run lists all of them with a selector or page to look at.
//!
//! The layout contract the pages are held to: a skip link `a.skip-link[href="#main"]` as the first focusable
//! element, `<main id="main">`, a `<header>` with the navigation (`<nav>`), a `<footer>`.

use amplify_demo::app::{DEMO_PASSWORD, DEMO_USERNAME};
use amplify_integration_tests::{
    BrowserRun, DemoUnderTest, PeerEnv, interop_dir, run_browser_script, screenshot_dir,
};
use serde_json::Value;

/// The two widths, with a desktop and a phone-sized height.
const WIDTHS: &str = "1280x800,390x844";

/// The demo (with its embedded amplify-local) for one test.
struct Demo {
    demo: DemoUnderTest,
}

impl Demo {
    async fn start() -> Self {
        Self {
            demo: DemoUnderTest::start("amplify-pages-").await,
        }
    }

    fn url(&self) -> &str {
        self.demo.url()
    }

    /// Runs `flow` of pages.mjs with the demo's URL and account plus `extra`, saves its report next to the
    /// screenshots, and returns it.
    async fn run(&self, flow: &str, shot_prefix: &str, extra: &[(&str, &str)]) -> BrowserRun {
        let mut env: PeerEnv = vec![
            ("DEMO_URL".to_owned(), self.url().to_owned()),
            ("USERNAME".to_owned(), DEMO_USERNAME.to_owned()),
            ("PASSWORD".to_owned(), DEMO_PASSWORD.to_owned()),
        ];
        env.extend(
            extra
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        let run = run_browser_script("pages.mjs", flow, shot_prefix, env).await;
        eprintln!(
            "flow {flow}: {:.1} s in all, {} ms in the browser",
            run.elapsed.as_secs_f64(),
            run.output["flowMillis"]
        );
        let report = screenshot_dir().join(format!("{shot_prefix}-report.json"));
        if let Err(error) = std::fs::write(&report, format!("{:#}\n", run.output)) {
            eprintln!("could not save {}: {error}", report.display());
        }
        run
    }

    async fn shutdown(self) {
        self.demo.shutdown().await;
    }
}

/// The problems one test found; it fails once, at the end, listing them all.
#[derive(Default)]
struct Problems(Vec<String>);

impl Problems {
    fn check(&mut self, ok: bool, problem: impl FnOnce() -> String) {
        if !ok {
            self.0.push(problem());
        }
    }

    /// Fails the test with every problem, the report's location and the flow's output.
    #[track_caller]
    fn finish(self, run: &BrowserRun, prefix: &str) {
        if self.0.is_empty() {
            return;
        }
        let report = screenshot_dir().join(format!("{prefix}-report.json"));
        panic!(
            "{} problem(s) on the demo's pages:\n- {}\n(report: {}; screenshots: {}/{prefix}-*.png)\n{}",
            self.0.len(),
            self.0.join("\n- "),
            report.display(),
            screenshot_dir().display(),
            run.details()
        );
    }
}

/// The flow ran to its end: a flow that could not go on is itself a problem (the harness or the page).
fn check_flow_finished(problems: &mut Problems, run: &BrowserRun) {
    let error = &run.output["error"];
    problems.check(error.is_null(), || {
        format!(
            "the flow stopped: {}: {}",
            error["name"].as_str().unwrap_or("Error"),
            error["message"].as_str().unwrap_or("?")
        )
    });
    let page_errors = strings(&run.output["pageErrors"]);
    problems.check(page_errors.is_empty(), || {
        format!("script errors in the pages: {page_errors:?}")
    });
}

fn strings(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .map(|items| items.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

fn items(value: &Value) -> &[Value] {
    value.as_array().map_or(&[], Vec::as_slice)
}

/// Whether the report says `key` is true (absent or anything else: false).
fn flag(value: &Value, key: &str) -> bool {
    value[key].as_bool() == Some(true)
}

fn is_html(page: &Value) -> bool {
    page["contentType"]
        .as_str()
        .is_some_and(|t| t.starts_with("text/html"))
}

/// The layout contract: `<main id="main">`, a header with the navigation, a footer, a skip link to `#main`.
fn check_layout_structure(problems: &mut Problems, what: &str, page: &Value) {
    let structure = &page["structure"];
    if structure.is_null() {
        problems.check(false, || format!("{what}: the page could not be read"));
        return;
    }
    problems.check(
        flag(structure, "hasMain") && structure["mainId"] == "main",
        || {
            format!(
                "{what}: no <main id=\"main\"> (main id: {})",
                structure["mainId"]
            )
        },
    );
    problems.check(flag(structure, "hasHeader"), || {
        format!("{what}: no <header>")
    });
    problems.check(flag(structure, "hasNav"), || format!("{what}: no <nav>"));
    problems.check(flag(structure, "hasFooter"), || {
        format!("{what}: no <footer>")
    });
    problems.check(structure["skipLinkHref"] == "#main", || {
        format!(
            "{what}: no skip link a.skip-link[href=\"#main\"] (found href {})",
            structure["skipLinkHref"]
        )
    });
}

/// One page of a tour at every width: shown with the expected status, inside the layout (the demo's own pages),
/// no horizontal scroll, nothing outside the viewport or overflowing, no serious or critical axe violation, a
/// screenshot.
fn check_tour_page(problems: &mut Problems, page: &Value, expected_status: u64, widths: usize) {
    let path = page["path"].as_str().unwrap_or("?");
    let status = page["status"].as_u64().unwrap_or(0);
    problems.check(status == expected_status, || {
        format!(
            "{path}: answered {status}, expected {expected_status} (at {})",
            page["url"]
        )
    });
    if let Some(error) = page["gotoError"].as_str() {
        problems.check(false, || {
            format!("{path}: Chromium shows no page ({error}): an empty {status} answer?")
        });
        return;
    }
    if flag(page, "onDemo") {
        problems.check(is_html(page), || {
            format!("{path}: answered {}, not an HTML page", page["contentType"])
        });
        check_layout_structure(problems, path, page);
    }
    let measured = items(&page["widths"]);
    problems.check(measured.len() == widths, || {
        format!("{path}: measured at {} of {widths} widths", measured.len())
    });
    for at in measured {
        let width = at["width"].as_u64().unwrap_or(0);
        let what = format!("{path} at {width} px");
        check_layout(problems, &what, &at["layout"]);
        check_axe(problems, &what, at);
        let shot = at["screenshot"].as_str().unwrap_or("");
        problems.check(
            !shot.is_empty() && std::path::Path::new(shot).is_file(),
            || format!("{what}: no screenshot ({shot:?})"),
        );
    }
}

fn check_layout(problems: &mut Problems, what: &str, layout: &Value) {
    problems.check(layout["viewport"].is_u64(), || {
        format!("{what}: the layout was not measured")
    });
    problems.check(!flag(layout, "horizontalScroll"), || {
        format!(
            "{what}: scrolls horizontally (document scrollWidth {} > clientWidth {})",
            layout["scrollWidth"], layout["clientWidth"]
        )
    });
    let outside = items(&layout["outsideViewport"]);
    problems.check(outside.is_empty(), || {
        let list: Vec<String> = outside
            .iter()
            .map(|o| {
                format!(
                    "{} (left {}, right {}, width {})",
                    o["selector"].as_str().unwrap_or("?"),
                    o["left"],
                    o["right"],
                    o["width"]
                )
            })
            .collect();
        format!(
            "{what}: {} element(s) outside the {} px viewport: {}",
            layout["outsideViewportCount"],
            layout["viewport"],
            list.join("; ")
        )
    });
    let overflowing = items(&layout["textOverflow"]);
    problems.check(overflowing.is_empty(), || {
        let list: Vec<String> = overflowing
            .iter()
            .map(|o| {
                format!(
                    "{} (content {} px in a {} px box)",
                    o["selector"].as_str().unwrap_or("?"),
                    o["scrollWidth"],
                    o["clientWidth"]
                )
            })
            .collect();
        format!(
            "{what}: {} element(s) overflowing their box: {}",
            layout["textOverflowCount"],
            list.join("; ")
        )
    });
}

/// No serious or critical axe-core violation (the others are in the report).
fn check_axe(problems: &mut Problems, what: &str, at: &Value) {
    if let Some(error) = at["axeError"].as_str() {
        problems.check(false, || format!("{what}: axe-core did not run: {error}"));
        return;
    }
    problems.check(at["axe"].is_array(), || {
        format!("{what}: no axe-core result")
    });
    for violation in items(&at["axe"]) {
        let impact = violation["impact"].as_str().unwrap_or("");
        problems.check(!matches!(impact, "serious" | "critical"), || {
            format!(
                "{what}: axe {impact} `{}`: {} on {} ({})",
                violation["id"].as_str().unwrap_or("?"),
                violation["help"].as_str().unwrap_or("?"),
                strings(&violation["targets"]).join(", "),
                violation["helpUrl"].as_str().unwrap_or("")
            )
        });
    }
}

/// axe-core is an npm package of interop/ like playwright-core: without it the tours cannot check anything.
fn assert_axe_installed() {
    let marker = interop_dir()
        .join("node_modules")
        .join("axe-core")
        .join("axe.min.js");
    assert!(
        marker.is_file(),
        "the npm package axe-core is missing ({} not found): run scripts/test, which installs it (npm ci in \
         interop/, from interop/package-lock.json)",
        marker.display()
    );
}

/// Runs a tour of `pages` (path, expected status) and checks every page at both widths.
async fn tour(signed_in: bool, pages: &[(&str, u64)]) {
    assert_axe_installed();
    let demo = Demo::start().await;
    let prefix = if signed_in {
        "pages-signed-in"
    } else {
        "pages-signed-out"
    };
    let paths: Vec<&str> = pages.iter().map(|(path, _)| *path).collect();
    let run = demo
        .run(
            "page-tour",
            prefix,
            &[
                ("SIGNED_IN", if signed_in { "yes" } else { "no" }),
                ("WIDTHS", WIDTHS),
                ("PAGES", &paths.join(",")),
            ],
        )
        .await;
    let mut problems = Problems::default();
    check_flow_finished(&mut problems, &run);
    problems.check(flag(&run.output, "signedIn") == signed_in, || {
        format!(
            "signed in: {}, expected {signed_in}",
            run.output["signedIn"]
        )
    });
    let widths = WIDTHS.split(',').count();
    let seen = items(&run.output["pages"]);
    problems.check(seen.len() == pages.len(), || {
        format!("visited {} of {} pages", seen.len(), pages.len())
    });
    for (page, (path, status)) in seen.iter().zip(pages) {
        problems.check(page["path"] == *path, || {
            format!("visited {} where {path} was expected", page["path"])
        });
        check_tour_page(&mut problems, page, *status, widths);
    }
    demo.shutdown().await;
    problems.finish(&run, prefix);
}

/// Signed out: the public pages, the sign-in pages, the managed-login page a protected page sends a visitor to
/// (amplify-local's), the sign-in error page and a 404.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_signed_out_fits_both_widths_and_passes_axe() {
    tour(
        false,
        &[
            ("/", 200),
            ("/dashboard", 200), // ends on amplify-local's login page
            ("/gallery", 200),
            ("/announcements", 200),
            ("/sign-in", 200),
            ("/auth-error?error=access_denied", 400),
            ("/no-such-page", 404),
        ],
    )
    .await;
}

/// Signed in (the demo user, not an admin): every page, /admin answering 403.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_signed_in_fits_both_widths_and_passes_axe() {
    tour(
        true,
        &[
            ("/", 200),
            ("/dashboard", 200),
            ("/todos", 200),
            ("/files", 200),
            ("/gallery", 200),
            ("/announcements", 200),
            ("/admin", 403),
            ("/auth-error?error=access_denied", 400),
            ("/no-such-page", 404),
        ],
    )
    .await;
}

/// Sign in, add a todo, mark it done and sign out with the keyboard alone: the focus is visible at every stop,
/// and the first Tab on every page lands on the skip link to `<main>`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyboard_alone_signs_in_adds_and_toggles_a_todo_and_signs_out() {
    let demo = Demo::start().await;
    let prefix = "pages-keyboard";
    let run = demo.run("keyboard-walk", prefix, &[]).await;
    let mut problems = Problems::default();
    check_flow_finished(&mut problems, &run);
    let output = &run.output;
    problems.check(
        output["signedInUrl"].as_str() == Some(&format!("{}/dashboard", demo.url())),
        || format!("signing in ended on {}", output["signedInUrl"]),
    );
    problems.check(flag(output, "todoAdded"), || {
        "the todo was not added".to_owned()
    });
    problems.check(flag(output, "todoDone"), || {
        "the todo was not marked done".to_owned()
    });
    problems.check(flag(output, "signedOut"), || {
        "the walk did not sign out".to_owned()
    });
    let stops = items(&output["stops"]);
    problems.check(!stops.is_empty(), || "no focus stops recorded".to_owned());
    for stop in stops {
        let label = stop["label"].as_str().unwrap_or("?");
        let url = stop["url"].as_str().unwrap_or("?");
        let focused = &stop["focused"];
        if focused.is_null() {
            problems.check(false, || {
                format!(
                    "{url}: after {} ({label}) nothing has the focus",
                    stop["key"]
                )
            });
            continue;
        }
        problems.check(flag(focused, "focusVisible"), || {
            format!(
                "{url}: the focus on <{}> {:?} ({label}) is not visible (outline {}, box-shadow {})",
                focused["tag"].as_str().unwrap_or("?"),
                focused["text"].as_str().unwrap_or(""),
                focused["outline"],
                focused["boxShadow"]
            )
        });
    }
    let first_tabs = items(&output["firstTabs"]);
    problems.check(first_tabs.len() >= 4, || {
        format!(
            "the first Tab was checked on {} pages, expected 4",
            first_tabs.len()
        )
    });
    for first in first_tabs {
        let focused = &first["focused"];
        problems.check(
            flag(focused, "skipLink") && flag(focused, "targetIsMain"),
            || {
                format!(
                    "{}: the first Tab lands on <{} href={}> {:?}, not on a skip link a.skip-link to <main>",
                    first["page"].as_str().unwrap_or("?"),
                    focused["tag"].as_str().unwrap_or("nothing"),
                    focused["href"],
                    focused["text"].as_str().unwrap_or("")
                )
            },
        );
    }
    demo.shutdown().await;
    problems.finish(&run, prefix);
}

/// A 404 is a page of the site, and a todo of spaces gives the form back, with an error next to the field.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_pages_are_pages_of_the_site() {
    let demo = Demo::start().await;
    let prefix = "pages-errors";
    let run = demo.run("error-pages", prefix, &[]).await;
    let mut problems = Problems::default();
    check_flow_finished(&mut problems, &run);
    let output = &run.output;

    let not_found = &output["notFound"];
    problems.check(not_found["status"] == 404, || {
        format!(
            "/no-such-page answered {}, expected 404",
            not_found["status"]
        )
    });
    if let Some(error) = not_found["gotoError"].as_str() {
        problems.check(false, || {
            format!("/no-such-page: Chromium shows no page ({error}): the 404 has no HTML body")
        });
    } else {
        problems.check(is_html(not_found), || {
            format!(
                "/no-such-page answered {}, not an HTML page",
                not_found["contentType"]
            )
        });
        let structure = &not_found["structure"];
        problems.check(
            flag(structure, "hasHeader") && flag(structure, "hasNav") && flag(structure, "hasMain"),
            || format!("/no-such-page is not inside the layout (header, nav, main): {structure}"),
        );
        problems.check(flag(structure, "linkHome"), || {
            "/no-such-page has no link home (href=\"/\")".to_owned()
        });
    }

    let blank = &output["blankTodo"];
    problems.check(blank["status"] == 400, || {
        format!(
            "a todo of spaces answered {}, expected 400",
            blank["status"]
        )
    });
    problems.check(is_html(blank), || {
        format!(
            "a todo of spaces answered {} ({:?}), not an HTML page",
            blank["contentType"],
            blank["bodyText"].as_str().unwrap_or("")
        )
    });
    let structure = &blank["structure"];
    problems.check(
        flag(structure, "hasNav") && flag(structure, "hasMain"),
        || format!("the refused todo's answer is not inside the layout (nav, main): {structure}"),
    );
    let field = &blank["field"];
    problems.check(flag(field, "inForm"), || {
        "the refused todo's answer does not give the form (#content) back".to_owned()
    });
    problems.check(
        !items(&field["describedByErrors"]).is_empty() || !items(&field["errorsInForm"]).is_empty(),
        || {
            format!(
                "the refused todo's answer shows no error next to the field (none in the form, none the field's \
                 aria-describedby points to): {field}"
            )
        },
    );
    demo.shutdown().await;
    problems.finish(&run, prefix);
}

/// Without JavaScript the Files page says uploading needs it, and submitting the form does not reload the page
/// with the file's name in the query string.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_without_javascript_says_so() {
    let demo = Demo::start().await;
    let prefix = "pages-no-js";
    let run = demo
        .run("no-js-upload", prefix, &[("JAVASCRIPT", "off")])
        .await;
    let mut problems = Problems::default();
    check_flow_finished(&mut problems, &run);
    let output = &run.output;
    problems.check(output["javaScriptEnabled"] == false, || {
        "the flow ran with JavaScript on".to_owned()
    });
    problems.check(output["filesStatus"] == 200, || {
        format!("/files answered {}", output["filesStatus"])
    });
    problems.check(flag(output, "needsJsNotice"), || {
        "/files shows no visible #upload-needs-js notice without JavaScript".to_owned()
    });
    // The form is still submittable: it posts to the server, whose page says why nothing was uploaded.
    problems.check(
        flag(output, "submitted")
            && flag(output, "navigatedAfterSubmit")
            && output["afterSubmitUrl"]
                .as_str()
                .is_some_and(|url| url.ends_with("/files/upload"))
            && output["afterSubmitH1"] == "Uploading needs JavaScript",
        || {
            format!(
                "submitting without JavaScript should reach the explanation at /files/upload, got {} ({})",
                output["afterSubmitUrl"], output["afterSubmitH1"]
            )
        },
    );
    problems.check(!flag(output, "fileNameInUrl"), || {
        format!(
            "submitting the upload form without JavaScript navigated to {} (the file name in the query string)",
            output["afterSubmitUrl"]
        )
    });
    demo.shutdown().await;
    problems.finish(&run, prefix);
}

/// With scripts on, an image uploaded to the public area goes to S3 through the presigned PUT and shows in the
/// gallery: the pages' Content-Security-Policy lets both through (a policy violation fails the test).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_and_the_gallery_work_under_the_content_security_policy() {
    let demo = Demo::start().await;
    let prefix = "pages-js-upload";
    let run = demo.run("js-upload", prefix, &[]).await;
    let mut problems = Problems::default();
    check_flow_finished(&mut problems, &run);
    let output = &run.output;
    problems.check(flag(output, "listed"), || {
        format!(
            "the uploaded file is not listed among the public files (upload status: {})",
            output["uploadStatus"]
        )
    });
    problems.check(output["galleryImageWidth"] == 1, || {
        format!(
            "the gallery did not load the uploaded image (natural width {})",
            output["galleryImageWidth"]
        )
    });
    problems.check(
        output["cspViolations"]
            .as_array()
            .is_some_and(Vec::is_empty),
        || {
            format!(
                "Content-Security-Policy violations: {}",
                output["cspViolations"]
            )
        },
    );
    demo.shutdown().await;
    problems.finish(&run, prefix);
}
