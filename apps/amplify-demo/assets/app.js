// amplify-demo's one script, served from /assets/app.js (the pages' CSP allows no inline script).
// Everything works without it except uploads; it adds: the phone menu, todo checkboxes that save on change,
// and the upload through a presigned PUT URL.
document.documentElement.classList.add('js');

// The phone menu: the button shows and hides the navigation (CSS shows it only at phone widths).
const toggle = document.querySelector('.menu-toggle');
const menu = document.getElementById('site-menu');
if (toggle && menu) {
  toggle.hidden = false;
  toggle.addEventListener('click', () => {
    const open = menu.classList.toggle('open');
    toggle.setAttribute('aria-expanded', String(open));
  });
}

// A todo's checkbox saves as soon as it changes (the form's Save button does it without scripts).
for (const box of document.querySelectorAll('.todo input[type="checkbox"]')) {
  box.addEventListener('change', () => box.form.requestSubmit());
}

// Uploads go straight from the browser to S3 through a presigned PUT URL: the server never sees the file.
const upload = document.getElementById('upload-form');
if (upload) {
  upload.addEventListener('submit', async (event) => {
    event.preventDefault();
    const status = document.getElementById('upload-status');
    const file = document.getElementById('file').files[0];
    if (!file) { status.textContent = 'Choose a file first.'; return; }
    status.textContent = 'Uploading…';
    const type = file.type || 'application/octet-stream';
    try {
      const answer = await fetch('/files/upload-url', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: file.name, area: document.getElementById('area').value, contentType: type }),
      });
      if (!answer.ok) { status.textContent = 'Upload refused: ' + await answer.text(); return; }
      const { url, headers } = await answer.json();
      const put = await fetch(url, { method: 'PUT', headers, body: file });
      if (!put.ok) { status.textContent = 'Upload failed (S3 answered ' + put.status + ').'; return; }
      location.reload();
    } catch (error) {
      status.textContent = 'Upload failed: ' + error.message;
    }
  });
}
