//! Browser glue: reading picked files, downloads and the clipboard.

use wasm_bindgen::JsCast;
use web_sys::{Blob, BlobPropertyBag, FileList, HtmlAnchorElement, Url};

/// Returns the files of a file list, in list order.
pub fn files_of(list: Option<FileList>) -> Vec<web_sys::File> {
    let Some(list) = list else { return Vec::new() };
    (0..list.length()).filter_map(|index| list.get(index)).collect()
}

/// Reads a picked file's bytes.
pub async fn read_bytes(file: web_sys::File) -> Result<Vec<u8>, String> {
    let file = gloo_file::File::from(file);
    gloo_file::futures::read_as_bytes(&file).await.map_err(|error| format!("cannot read {}: {error}", file.name()))
}

/// Offers `text` as a download named `file_name`. The data stays in the
/// page: it goes through a blob URL that is revoked right after the click.
pub fn download(file_name: &str, mime_type: &str, text: &str) -> Result<(), String> {
    let failed = |what: &str| format!("download of {file_name} failed: {what}");
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = BlobPropertyBag::new();
    options.set_type(mime_type);
    let blob = Blob::new_with_str_sequence_and_options(&parts, &options).map_err(|_| failed("cannot create the file"))?;
    let url = Url::create_object_url_with_blob(&blob).map_err(|_| failed("cannot create a blob URL"))?;
    let document = web_sys::window().and_then(|window| window.document()).ok_or_else(|| failed("no document"))?;
    let anchor: HtmlAnchorElement = document
        .create_element("a")
        .map_err(|_| failed("cannot create a link"))?
        .dyn_into()
        .map_err(|_| failed("cannot create a link"))?;
    anchor.set_href(&url);
    anchor.set_download(file_name);
    anchor.click();
    let _ = Url::revoke_object_url(&url);
    Ok(())
}

/// Copies text to the clipboard.
pub async fn copy_text(text: String) -> Result<(), String> {
    let window = web_sys::window().ok_or("no window")?;
    let promise = window.navigator().clipboard().write_text(&text);
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map(|_| ())
        .map_err(|error| format!("the browser refused clipboard access: {}", error.as_string().unwrap_or_else(|| format!("{error:?}"))))
}

/// Milliseconds since the page started loading.
pub fn now_ms() -> f64 {
    web_sys::window().and_then(|window| window.performance()).map(|performance| performance.now()).unwrap_or(0.0)
}

/// Returns `navigator.hardwareConcurrency`, the browser's count of logical
/// cores, or 0 without a window.
pub fn hardware_concurrency() -> f64 {
    web_sys::window().map(|window| window.navigator().hardware_concurrency()).unwrap_or(0.0)
}
