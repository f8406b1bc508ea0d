// Safehub's only script: progressive enhancement for GOV.UK and MOJ Frontend.
// Pages work without it; the Content-Security-Policy forbids inline script,
// so the body classes the design systems expect are set here.
import { initAll } from './govuk-frontend.min.js'

document.body.classList.add('js-enabled')
if ('noModule' in HTMLScriptElement.prototype) {
  document.body.classList.add('govuk-frontend-supported')
}
initAll()
