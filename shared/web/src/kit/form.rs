//! Form controls: labelled fields with a hint and an inline error, hidden fields, buttons.
//!
//! Every field's control has the id `f-{name}` (or the id given) so its label, hint and error
//! point at it; an error marks the control `aria-invalid` and joins the hint in
//! `aria-describedby`, so a screen reader reads both. Attributes come as typed options, never
//! as raw attribute text.
use maud::{Markup, Render, html};

/// The `type` of a text-like input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputType {
    Text,
    Email,
    /// Never written back into the page: its value is dropped on render.
    Password,
    Search,
    Number,
    Tel,
    Url,
    Date,
}

impl InputType {
    fn as_str(self) -> &'static str {
        match self {
            InputType::Text => "text",
            InputType::Email => "email",
            InputType::Password => "password",
            InputType::Search => "search",
            InputType::Number => "number",
            InputType::Tel => "tel",
            InputType::Url => "url",
            InputType::Date => "date",
        }
    }
}

/// Which on-screen keyboard a phone shows (`inputmode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputMode {
    Text,
    Numeric,
    Decimal,
    Email,
    Tel,
    Url,
    Search,
}

impl InputMode {
    fn as_str(self) -> &'static str {
        match self {
            InputMode::Text => "text",
            InputMode::Numeric => "numeric",
            InputMode::Decimal => "decimal",
            InputMode::Email => "email",
            InputMode::Tel => "tel",
            InputMode::Url => "url",
            InputMode::Search => "search",
        }
    }
}

/// A labelled text-like input. Build it with [`Input::new`] and the setters, or as a struct
/// literal with `..Input::new(…)`; render it with [`field`] or put it straight into `html!`.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    pub label: &'a str,
    pub name: &'a str,
    pub kind: InputType,
    /// The control's id when `f-{name}` would clash (two forms with one field name).
    pub id: Option<&'a str>,
    pub value: &'a str,
    /// An autocomplete token (`email`, `current-password`, `one-time-code`…).
    pub autocomplete: &'a str,
    pub placeholder: Option<&'a str>,
    pub hint: Option<&'a str>,
    pub error: Option<&'a str>,
    pub required: bool,
    pub disabled: bool,
    pub autofocus: bool,
    pub inputmode: Option<InputMode>,
    pub pattern: Option<&'a str>,
    pub minlength: Option<u32>,
    pub maxlength: Option<u32>,
    /// A `datalist` id of suggestions.
    pub list: Option<&'a str>,
    /// Monospaced and spaced out, for one-time codes.
    pub code: bool,
    /// No spell check nor automatic capitals: ids, codes, keys.
    pub verbatim: bool,
    /// The label is read by screen readers but not shown (a control inside a table row).
    pub label_hidden: bool,
}

impl<'a> Input<'a> {
    pub fn new(label: &'a str, name: &'a str, kind: InputType) -> Input<'a> {
        Input {
            label,
            name,
            kind,
            id: None,
            value: "",
            autocomplete: "off",
            placeholder: None,
            hint: None,
            error: None,
            required: false,
            disabled: false,
            autofocus: false,
            inputmode: None,
            pattern: None,
            minlength: None,
            maxlength: None,
            list: None,
            code: false,
            verbatim: false,
            label_hidden: false,
        }
    }

    pub fn id(mut self, id: &'a str) -> Self {
        self.id = Some(id);
        self
    }

    pub fn value(mut self, value: &'a str) -> Self {
        self.value = value;
        self
    }

    pub fn autocomplete(mut self, token: &'a str) -> Self {
        self.autocomplete = token;
        self
    }

    pub fn placeholder(mut self, text: &'a str) -> Self {
        self.placeholder = Some(text);
        self
    }

    pub fn hint(mut self, hint: &'a str) -> Self {
        self.hint = Some(hint);
        self
    }

    /// Takes an `Option` because that is what a page has: the error of this field, if any.
    pub fn error(mut self, error: Option<&'a str>) -> Self {
        self.error = error;
        self
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    pub fn disabled(mut self) -> Self {
        self.disabled = true;
        self
    }

    pub fn autofocus(mut self) -> Self {
        self.autofocus = true;
        self
    }

    pub fn inputmode(mut self, mode: InputMode) -> Self {
        self.inputmode = Some(mode);
        self
    }

    pub fn pattern(mut self, pattern: &'a str) -> Self {
        self.pattern = Some(pattern);
        self
    }

    pub fn minlength(mut self, n: u32) -> Self {
        self.minlength = Some(n);
        self
    }

    pub fn maxlength(mut self, n: u32) -> Self {
        self.maxlength = Some(n);
        self
    }

    pub fn list(mut self, datalist_id: &'a str) -> Self {
        self.list = Some(datalist_id);
        self
    }

    pub fn code(mut self) -> Self {
        self.code = true;
        self
    }

    pub fn verbatim(mut self) -> Self {
        self.verbatim = true;
        self
    }

    pub fn label_hidden(mut self) -> Self {
        self.label_hidden = true;
        self
    }
}

impl Render for Input<'_> {
    fn render(&self) -> Markup {
        field(self)
    }
}

/// The ids a control's label, hint and error share.
struct Ids {
    control: String,
    hint: String,
    error: String,
}

impl Ids {
    fn of(name: &str, id: Option<&str>) -> Ids {
        let control = id.map_or_else(|| format!("f-{name}"), str::to_string);
        Ids { hint: format!("{control}-hint"), error: format!("{control}-error"), control }
    }

    /// `aria-describedby`: the hint, then the error, when there are any.
    fn described_by(&self, hint: Option<&str>, error: Option<&str>) -> Option<String> {
        let ids: Vec<&str> = [hint.map(|_| self.hint.as_str()), error.map(|_| self.error.as_str())].into_iter().flatten().collect();
        (!ids.is_empty()).then(|| ids.join(" "))
    }

    fn hint_and_error(&self, hint: Option<&str>, error: Option<&str>) -> Markup {
        html! {
            @if let Some(hint) = hint { p.hint id=(self.hint) { (hint) } }
            @if let Some(error) = error { p.field-error id=(self.error) { (error) } }
        }
    }
}

/// A labelled input (see [`Input`]).
pub fn field(input: &Input<'_>) -> Markup {
    let ids = Ids::of(input.name, input.id);
    // A password typed into a refused form is never sent back in the page.
    let value = if input.kind == InputType::Password { "" } else { input.value };
    let class = input.code.then_some("code");
    html! {
        div.field.has-error[input.error.is_some()] {
            label class=[input.label_hidden.then_some("sr")] for=(ids.control) { (input.label) }
            input id=(ids.control) name=(input.name) type=(input.kind.as_str()) value=(value) class=[class]
                autocomplete=(input.autocomplete) placeholder=[input.placeholder]
                inputmode=[input.inputmode.map(InputMode::as_str)] pattern=[input.pattern]
                minlength=[input.minlength] maxlength=[input.maxlength] list=[input.list]
                spellcheck=[input.verbatim.then_some("false")] autocapitalize=[input.verbatim.then_some("none")]
                required[input.required] disabled[input.disabled] autofocus[input.autofocus]
                aria-invalid=[input.error.map(|_| "true")] aria-describedby=[ids.described_by(input.hint, input.error)];
            (ids.hint_and_error(input.hint, input.error))
        }
    }
}

/// A labelled `select`: `options` are (value, label) pairs, the one equal to `selected` is
/// chosen.
#[derive(Debug, Clone, Copy)]
pub struct Select<'a> {
    pub label: &'a str,
    pub name: &'a str,
    pub id: Option<&'a str>,
    pub options: &'a [(&'a str, &'a str)],
    pub selected: &'a str,
    pub hint: Option<&'a str>,
    pub error: Option<&'a str>,
    pub required: bool,
    pub disabled: bool,
    pub label_hidden: bool,
}

impl<'a> Select<'a> {
    pub fn new(label: &'a str, name: &'a str, options: &'a [(&'a str, &'a str)]) -> Select<'a> {
        Select {
            label,
            name,
            id: None,
            options,
            selected: "",
            hint: None,
            error: None,
            required: false,
            disabled: false,
            label_hidden: false,
        }
    }

    pub fn id(mut self, id: &'a str) -> Self {
        self.id = Some(id);
        self
    }

    pub fn selected(mut self, value: &'a str) -> Self {
        self.selected = value;
        self
    }

    pub fn hint(mut self, hint: &'a str) -> Self {
        self.hint = Some(hint);
        self
    }

    pub fn error(mut self, error: Option<&'a str>) -> Self {
        self.error = error;
        self
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    pub fn disabled(mut self) -> Self {
        self.disabled = true;
        self
    }

    pub fn label_hidden(mut self) -> Self {
        self.label_hidden = true;
        self
    }
}

impl Render for Select<'_> {
    fn render(&self) -> Markup {
        select_field(self)
    }
}

/// A labelled `select` (see [`Select`]).
pub fn select_field(select: &Select<'_>) -> Markup {
    let ids = Ids::of(select.name, select.id);
    html! {
        div.field.has-error[select.error.is_some()] {
            label class=[select.label_hidden.then_some("sr")] for=(ids.control) { (select.label) }
            select id=(ids.control) name=(select.name) required[select.required] disabled[select.disabled]
                aria-invalid=[select.error.map(|_| "true")] aria-describedby=[ids.described_by(select.hint, select.error)] {
                @for (value, label) in select.options {
                    option value=(value) selected[*value == select.selected] { (label) }
                }
            }
            (ids.hint_and_error(select.hint, select.error))
        }
    }
}

/// A labelled multi-line text box.
#[derive(Debug, Clone, Copy)]
pub struct TextArea<'a> {
    pub label: &'a str,
    pub name: &'a str,
    pub id: Option<&'a str>,
    pub value: &'a str,
    pub rows: u32,
    pub placeholder: Option<&'a str>,
    pub hint: Option<&'a str>,
    pub error: Option<&'a str>,
    pub required: bool,
    pub disabled: bool,
    pub maxlength: Option<u32>,
}

impl<'a> TextArea<'a> {
    pub fn new(label: &'a str, name: &'a str) -> TextArea<'a> {
        TextArea {
            label,
            name,
            id: None,
            value: "",
            rows: 4,
            placeholder: None,
            hint: None,
            error: None,
            required: false,
            disabled: false,
            maxlength: None,
        }
    }

    pub fn id(mut self, id: &'a str) -> Self {
        self.id = Some(id);
        self
    }

    pub fn value(mut self, value: &'a str) -> Self {
        self.value = value;
        self
    }

    pub fn rows(mut self, rows: u32) -> Self {
        self.rows = rows;
        self
    }

    pub fn placeholder(mut self, text: &'a str) -> Self {
        self.placeholder = Some(text);
        self
    }

    pub fn hint(mut self, hint: &'a str) -> Self {
        self.hint = Some(hint);
        self
    }

    pub fn error(mut self, error: Option<&'a str>) -> Self {
        self.error = error;
        self
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    pub fn disabled(mut self) -> Self {
        self.disabled = true;
        self
    }

    pub fn maxlength(mut self, n: u32) -> Self {
        self.maxlength = Some(n);
        self
    }
}

impl Render for TextArea<'_> {
    fn render(&self) -> Markup {
        textarea_field(self)
    }
}

/// A labelled `textarea` (see [`TextArea`]).
pub fn textarea_field(area: &TextArea<'_>) -> Markup {
    let ids = Ids::of(area.name, area.id);
    html! {
        div.field.has-error[area.error.is_some()] {
            label for=(ids.control) { (area.label) }
            textarea id=(ids.control) name=(area.name) rows=(area.rows) placeholder=[area.placeholder] maxlength=[area.maxlength]
                required[area.required] disabled[area.disabled]
                aria-invalid=[area.error.map(|_| "true")] aria-describedby=[ids.described_by(area.hint, area.error)] { (area.value) }
            (ids.hint_and_error(area.hint, area.error))
        }
    }
}

/// A checkbox with its label beside it. An unchecked box sends nothing, a checked one sends
/// `name=value`.
pub fn checkbox_field(label: &str, name: &str, value: &str, checked: bool, hint: Option<&str>) -> Markup {
    let ids = Ids::of(name, None);
    html! {
        div.field.check {
            input id=(ids.control) name=(name) type="checkbox" value=(value) checked[checked] aria-describedby=[ids.described_by(hint, None)];
            div {
                label for=(ids.control) { (label) }
                (ids.hint_and_error(hint, None))
            }
        }
    }
}

/// A hidden field (the CSRF token, an action name, a version).
pub fn hidden(name: &str, value: &str) -> Markup {
    html! { input type="hidden" name=(name) value=(value); }
}

/// How much a button stands out: the one main action, the others, or a destructive one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ButtonStyle {
    Primary,
    Secondary,
    Danger,
}

impl ButtonStyle {
    fn class(self) -> &'static str {
        match self {
            ButtonStyle::Primary => "button primary",
            ButtonStyle::Secondary => "button secondary",
            ButtonStyle::Danger => "button danger",
        }
    }
}

/// A form's submit button.
pub fn submit(label: &str, style: ButtonStyle) -> Markup {
    html! { button type="submit" class=(style.class()) { (label) } }
}

/// A link that looks like a button (a GET action: "Delete…" opening its confirm step).
pub fn link_button(label: &str, href: &str, style: ButtonStyle) -> Markup {
    html! { a class=(style.class()) href=(href) { (label) } }
}

/// A POST form carrying the CSRF token first; `novalidate` because the server checks every
/// field and answers with the page and its errors, the same in every browser.
pub fn post_form(action: &str, csrf: (&str, &str), body: Markup) -> Markup {
    html! {
        form method="post" action=(action) novalidate {
            (hidden(csrf.0, csrf.1))
            (body)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const XSS: &str = "<script>alert(1)</script>\"'";

    fn assert_inert(html: &str) {
        assert!(!html.contains("<script"), "raw script in {html}");
        assert!(!html.contains("\"'"), "a quote breaks out of an attribute in {html}");
    }

    #[test]
    fn a_password_field_never_echoes_its_value() {
        let html = field(&Input::new("Password", "password", InputType::Password).value("hunter22")).into_string();
        assert!(!html.contains("hunter22"));
        assert!(html.contains(r#"value="""#));
    }

    #[test]
    fn a_field_with_an_error_is_invalid_and_described_by_hint_and_error() {
        let input = Input::new("Email", "email", InputType::Email).value("a\"b").hint("We never share it.").error(Some("Enter <an> email"));
        let html = field(&input).into_string();
        assert!(html.contains(r#"id="f-email""#));
        assert!(html.contains(r#"<label for="f-email">Email</label>"#));
        assert!(html.contains(r#"aria-invalid="true""#));
        assert!(html.contains(r#"aria-describedby="f-email-hint f-email-error""#));
        assert!(html.contains(r#"value="a&quot;b""#));
        assert!(html.contains(r#"<p class="field-error" id="f-email-error">Enter &lt;an&gt; email</p>"#));
        assert!(html.contains(r#"class="field has-error""#));
    }

    #[test]
    fn a_field_without_error_or_hint_has_no_aria_noise() {
        let html = field(&Input::new("Name", "name", InputType::Text)).into_string();
        assert!(!html.contains("aria-invalid"));
        assert!(!html.contains("aria-describedby"));
    }

    #[test]
    fn typed_options_become_attributes() {
        let input = Input::new("Code", "code", InputType::Text)
            .required()
            .inputmode(InputMode::Numeric)
            .pattern("[0-9 ]{6,7}")
            .minlength(6)
            .maxlength(7)
            .autocomplete("one-time-code")
            .code()
            .verbatim();
        let html = field(&input).into_string();
        for attr in [
            " required",
            r#"inputmode="numeric""#,
            r#"pattern="[0-9 ]{6,7}""#,
            r#"minlength="6""#,
            r#"maxlength="7""#,
            r#"autocomplete="one-time-code""#,
            r#"class="code""#,
            r#"spellcheck="false""#,
            r#"autocapitalize="none""#,
        ] {
            assert!(html.contains(attr), "{attr} missing in {html}");
        }
    }

    #[test]
    fn form_controls_escape_every_value() {
        let options = [(XSS, XSS), ("b", "B")];
        let pieces = [
            field(&Input::new(XSS, XSS, InputType::Text).value(XSS).hint(XSS).error(Some(XSS)).placeholder(XSS).pattern(XSS).id(XSS)),
            select_field(&Select::new(XSS, XSS, &options).selected(XSS).hint(XSS).error(Some(XSS))),
            textarea_field(&TextArea::new(XSS, XSS).value(XSS).hint(XSS).error(Some(XSS))),
            checkbox_field(XSS, XSS, XSS, true, Some(XSS)),
            hidden(XSS, XSS),
            submit(XSS, ButtonStyle::Primary),
            link_button(XSS, XSS, ButtonStyle::Danger),
            post_form(XSS, (XSS, XSS), html! {}),
        ];
        for piece in pieces {
            assert_inert(&piece.into_string());
        }
    }

    #[test]
    fn a_select_marks_its_chosen_option() {
        let options = [("admin", "Admin"), ("member", "Member")];
        let html = select_field(&Select::new("Role", "role", &options).selected("member").error(Some("Pick one"))).into_string();
        assert!(html.contains(r#"<option value="admin">Admin</option><option value="member" selected>Member</option>"#));
        assert!(html.contains(r#"aria-invalid="true""#));
    }

    #[test]
    fn a_checkbox_and_a_textarea_keep_their_state() {
        assert!(checkbox_field("Notify", "notify", "on", true, None).into_string().contains(" checked"));
        assert!(!checkbox_field("Notify", "notify", "on", false, None).into_string().contains(" checked"));
        let html = textarea_field(&TextArea::new("Note", "note").value("a < b").rows(3)).into_string();
        assert!(html.contains(r#"rows="3""#));
        assert!(html.contains(">a &lt; b</textarea>"));
    }

    #[test]
    fn buttons_carry_their_style() {
        assert_eq!(submit("Save", ButtonStyle::Primary).into_string(), r#"<button type="submit" class="button primary">Save</button>"#);
        assert!(link_button("Delete…", "/x?confirm=delete", ButtonStyle::Danger).into_string().contains(r#"class="button danger""#));
    }
}
