//! (being written) the /dashboard/users pages in a real browser.
