//! (being written) the /dashboard/tenants pages in a real browser.
