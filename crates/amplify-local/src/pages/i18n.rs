//! Page text in the languages of Cognito's managed login that amplify-local
//! supports: English, French, German, Spanish and Japanese.

/// A page language (`lang` parameter); unknown values fall back to English.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Lang {
    #[default]
    En,
    Fr,
    De,
    Es,
    Ja,
}

impl Lang {
    /// Parses a `lang` value (`fr`, `fr-FR`, …); anything else is English.
    pub(crate) fn parse(value: Option<&str>) -> Self {
        let primary = value
            .unwrap_or_default()
            .split(['-', '_'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        match primary.as_str() {
            "fr" => Self::Fr,
            "de" => Self::De,
            "es" => Self::Es,
            "ja" => Self::Ja,
            _ => Self::En,
        }
    }

    /// The BCP 47 tag for `<html lang>` and the `lang` parameter.
    pub(crate) fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Fr => "fr",
            Self::De => "de",
            Self::Es => "es",
            Self::Ja => "ja",
        }
    }

    /// The page text.
    pub(crate) fn text(self) -> &'static Text {
        match self {
            Self::En => &EN,
            Self::Fr => &FR,
            Self::De => &DE,
            Self::Es => &ES,
            Self::Ja => &JA,
        }
    }
}

/// Every string the pages show.
#[derive(Debug)]
pub(crate) struct Text {
    pub(crate) sign_in_title: &'static str,
    pub(crate) sign_up_title: &'static str,
    pub(crate) confirm_title: &'static str,
    pub(crate) error_title: &'static str,
    pub(crate) username: &'static str,
    pub(crate) password: &'static str,
    pub(crate) email: &'static str,
    pub(crate) name: &'static str,
    pub(crate) code: &'static str,
    pub(crate) sign_in_button: &'static str,
    pub(crate) sign_up_button: &'static str,
    pub(crate) confirm_button: &'static str,
    pub(crate) continue_button: &'static str,
    pub(crate) no_account: &'static str,
    pub(crate) have_account: &'static str,
    pub(crate) forgot_password: &'static str,
    pub(crate) or_continue_with: &'static str,
    /// `{}` is the provider name.
    pub(crate) sign_in_with: &'static str,
    pub(crate) simulated: &'static str,
    pub(crate) consent_note: &'static str,
    pub(crate) code_note: &'static str,
    pub(crate) err_credentials: &'static str,
    pub(crate) err_unconfirmed: &'static str,
    pub(crate) err_disabled: &'static str,
    pub(crate) err_required: &'static str,
    pub(crate) err_user_exists: &'static str,
    pub(crate) err_password_policy: &'static str,
    /// A username with a character Cognito refuses.
    pub(crate) err_username: &'static str,
    /// A username over 128 characters.
    pub(crate) err_username_length: &'static str,
    /// `{}` is an attribute that cannot be set at sign-up.
    pub(crate) err_attribute: &'static str,
    /// `{}` is an attribute whose value is over 2,048 characters.
    pub(crate) err_attribute_length: &'static str,
    pub(crate) err_email: &'static str,
    pub(crate) err_code_mismatch: &'static str,
    pub(crate) err_code_expired: &'static str,
    pub(crate) err_internal: &'static str,
    /// The form was not submitted from this page (CSRF check failed).
    pub(crate) err_csrf: &'static str,
    /// Too many wrong passwords or codes: a lockout is running.
    pub(crate) err_attempts: &'static str,
    /// Shown on the login form after a confirmation in another browser.
    pub(crate) confirmed_sign_in: &'static str,
}

static EN: Text = Text {
    sign_in_title: "Sign in",
    sign_up_title: "Sign up",
    confirm_title: "Confirm your account",
    error_title: "Something went wrong",
    username: "Username",
    password: "Password",
    email: "Email",
    name: "Name",
    code: "Confirmation code",
    sign_in_button: "Sign in",
    sign_up_button: "Sign up",
    confirm_button: "Confirm",
    continue_button: "Continue",
    no_account: "Need an account? Sign up",
    have_account: "Already have an account? Sign in",
    forgot_password: "Forgot your password?",
    or_continue_with: "Or continue with",
    sign_in_with: "Sign in with {}",
    simulated: "simulated by amplify-local",
    consent_note: "No real account is contacted. Edit the details the provider would return, then continue.",
    code_note: "amplify-local does not send email. Your confirmation code is:",
    err_credentials: "Incorrect username or password.",
    err_unconfirmed: "This account is not confirmed yet. Sign up again to get a new code, or ask an administrator to confirm it.",
    err_disabled: "This account is disabled.",
    err_required: "Please fill in every field.",
    err_user_exists: "An account with this username already exists.",
    err_password_policy: "The password must have at least 8 characters, with upper- and lower-case letters, a digit and a symbol.",
    err_username: "The username must not be empty or contain spaces or invisible characters.",
    err_username_length: "The username must have at most 128 characters.",
    err_attribute: "The attribute “{}” cannot be set when signing up.",
    err_attribute_length: "The value of “{}” is too long: at most 2048 characters.",
    err_email: "Please enter a valid email address.",
    err_code_mismatch: "Invalid verification code provided, please try again.",
    err_code_expired: "This code has expired. Sign up again to get a new one.",
    err_internal: "An internal error occurred. Please try again.",
    err_csrf: "This form expired or was not sent from this page. Please try again.",
    err_attempts: "Too many failed attempts. Wait a moment, then try again.",
    confirmed_sign_in: "Your account is confirmed. Sign in to continue.",
};

static FR: Text = Text {
    sign_in_title: "Connexion",
    sign_up_title: "Inscription",
    confirm_title: "Confirmez votre compte",
    error_title: "Une erreur est survenue",
    username: "Nom d'utilisateur",
    password: "Mot de passe",
    email: "Adresse e-mail",
    name: "Nom",
    code: "Code de confirmation",
    sign_in_button: "Se connecter",
    sign_up_button: "S'inscrire",
    confirm_button: "Confirmer",
    continue_button: "Continuer",
    no_account: "Pas de compte ? Inscrivez-vous",
    have_account: "Vous avez déjà un compte ? Connectez-vous",
    forgot_password: "Mot de passe oublié ?",
    or_continue_with: "Ou continuer avec",
    sign_in_with: "Se connecter avec {}",
    simulated: "simulé par amplify-local",
    consent_note: "Aucun compte réel n'est contacté. Modifiez les informations que le fournisseur renverrait, puis continuez.",
    code_note: "amplify-local n'envoie pas d'e-mail. Votre code de confirmation est :",
    err_credentials: "Nom d'utilisateur ou mot de passe incorrect.",
    err_unconfirmed: "Ce compte n'est pas encore confirmé. Inscrivez-vous à nouveau pour obtenir un code, ou demandez à un administrateur de le confirmer.",
    err_disabled: "Ce compte est désactivé.",
    err_required: "Veuillez remplir tous les champs.",
    err_user_exists: "Un compte avec ce nom d'utilisateur existe déjà.",
    err_password_policy: "Le mot de passe doit comporter au moins 8 caractères, avec des majuscules, des minuscules, un chiffre et un symbole.",
    err_username: "Le nom d'utilisateur ne doit pas être vide ni contenir d'espaces ou de caractères invisibles.",
    err_username_length: "Le nom d'utilisateur doit comporter au plus 128 caractères.",
    err_attribute: "L'attribut « {} » ne peut pas être défini lors de l'inscription.",
    err_attribute_length: "La valeur de « {} » est trop longue : 2048 caractères au maximum.",
    err_email: "Veuillez saisir une adresse e-mail valide.",
    err_code_mismatch: "Code de vérification non valide, veuillez réessayer.",
    err_code_expired: "Ce code a expiré. Inscrivez-vous à nouveau pour en obtenir un nouveau.",
    err_internal: "Une erreur interne s'est produite. Veuillez réessayer.",
    err_csrf: "Ce formulaire a expiré ou n'a pas été envoyé depuis cette page. Veuillez réessayer.",
    err_attempts: "Trop de tentatives échouées. Patientez un instant, puis réessayez.",
    confirmed_sign_in: "Votre compte est confirmé. Connectez-vous pour continuer.",
};

static DE: Text = Text {
    sign_in_title: "Anmelden",
    sign_up_title: "Registrieren",
    confirm_title: "Konto bestätigen",
    error_title: "Etwas ist schiefgelaufen",
    username: "Benutzername",
    password: "Passwort",
    email: "E-Mail-Adresse",
    name: "Name",
    code: "Bestätigungscode",
    sign_in_button: "Anmelden",
    sign_up_button: "Registrieren",
    confirm_button: "Bestätigen",
    continue_button: "Weiter",
    no_account: "Noch kein Konto? Registrieren",
    have_account: "Schon ein Konto? Anmelden",
    forgot_password: "Passwort vergessen?",
    or_continue_with: "Oder weiter mit",
    sign_in_with: "Mit {} anmelden",
    simulated: "simuliert von amplify-local",
    consent_note: "Es wird kein echtes Konto kontaktiert. Bearbeiten Sie die Angaben, die der Anbieter liefern würde, und fahren Sie fort.",
    code_note: "amplify-local versendet keine E-Mails. Ihr Bestätigungscode lautet:",
    err_credentials: "Benutzername oder Passwort ist falsch.",
    err_unconfirmed: "Dieses Konto ist noch nicht bestätigt. Registrieren Sie sich erneut, um einen neuen Code zu erhalten, oder lassen Sie es von einem Administrator bestätigen.",
    err_disabled: "Dieses Konto ist deaktiviert.",
    err_required: "Bitte füllen Sie alle Felder aus.",
    err_user_exists: "Ein Konto mit diesem Benutzernamen existiert bereits.",
    err_password_policy: "Das Passwort muss mindestens 8 Zeichen lang sein und Groß- und Kleinbuchstaben, eine Ziffer und ein Sonderzeichen enthalten.",
    err_username: "Der Benutzername darf nicht leer sein und keine Leerzeichen oder unsichtbaren Zeichen enthalten.",
    err_username_length: "Der Benutzername darf höchstens 128 Zeichen lang sein.",
    err_attribute: "Das Attribut „{}“ kann bei der Registrierung nicht gesetzt werden.",
    err_attribute_length: "Der Wert von „{}“ ist zu lang: höchstens 2048 Zeichen.",
    err_email: "Bitte geben Sie eine gültige E-Mail-Adresse ein.",
    err_code_mismatch: "Ungültiger Bestätigungscode, bitte versuchen Sie es erneut.",
    err_code_expired: "Dieser Code ist abgelaufen. Registrieren Sie sich erneut, um einen neuen zu erhalten.",
    err_internal: "Ein interner Fehler ist aufgetreten. Bitte versuchen Sie es erneut.",
    err_csrf: "Dieses Formular ist abgelaufen oder wurde nicht von dieser Seite gesendet. Bitte versuchen Sie es erneut.",
    err_attempts: "Zu viele fehlgeschlagene Versuche. Warten Sie einen Moment und versuchen Sie es dann erneut.",
    confirmed_sign_in: "Ihr Konto ist bestätigt. Melden Sie sich an, um fortzufahren.",
};

static ES: Text = Text {
    sign_in_title: "Iniciar sesión",
    sign_up_title: "Registrarse",
    confirm_title: "Confirme su cuenta",
    error_title: "Algo salió mal",
    username: "Nombre de usuario",
    password: "Contraseña",
    email: "Correo electrónico",
    name: "Nombre",
    code: "Código de confirmación",
    sign_in_button: "Iniciar sesión",
    sign_up_button: "Registrarse",
    confirm_button: "Confirmar",
    continue_button: "Continuar",
    no_account: "¿No tiene una cuenta? Regístrese",
    have_account: "¿Ya tiene una cuenta? Inicie sesión",
    forgot_password: "¿Olvidó su contraseña?",
    or_continue_with: "O continúe con",
    sign_in_with: "Iniciar sesión con {}",
    simulated: "simulado por amplify-local",
    consent_note: "No se contacta ninguna cuenta real. Edite los datos que devolvería el proveedor y continúe.",
    code_note: "amplify-local no envía correos electrónicos. Su código de confirmación es:",
    err_credentials: "Nombre de usuario o contraseña incorrectos.",
    err_unconfirmed: "Esta cuenta aún no está confirmada. Regístrese de nuevo para obtener un código o pida a un administrador que la confirme.",
    err_disabled: "Esta cuenta está deshabilitada.",
    err_required: "Rellene todos los campos.",
    err_user_exists: "Ya existe una cuenta con este nombre de usuario.",
    err_password_policy: "La contraseña debe tener al menos 8 caracteres, con mayúsculas, minúsculas, un dígito y un símbolo.",
    err_username: "El nombre de usuario no puede estar vacío ni contener espacios ni caracteres invisibles.",
    err_username_length: "El nombre de usuario debe tener como máximo 128 caracteres.",
    err_attribute: "El atributo «{}» no se puede establecer al registrarse.",
    err_attribute_length: "El valor de «{}» es demasiado largo: como máximo 2048 caracteres.",
    err_email: "Introduzca una dirección de correo electrónico válida.",
    err_code_mismatch: "Código de verificación no válido, inténtelo de nuevo.",
    err_code_expired: "Este código ha caducado. Regístrese de nuevo para obtener uno nuevo.",
    err_internal: "Se produjo un error interno. Inténtelo de nuevo.",
    err_csrf: "Este formulario ha caducado o no se envió desde esta página. Inténtelo de nuevo.",
    err_attempts: "Demasiados intentos fallidos. Espere un momento y vuelva a intentarlo.",
    confirmed_sign_in: "Su cuenta está confirmada. Inicie sesión para continuar.",
};

static JA: Text = Text {
    sign_in_title: "サインイン",
    sign_up_title: "サインアップ",
    confirm_title: "アカウントの確認",
    error_title: "エラーが発生しました",
    username: "ユーザー名",
    password: "パスワード",
    email: "メールアドレス",
    name: "名前",
    code: "確認コード",
    sign_in_button: "サインイン",
    sign_up_button: "サインアップ",
    confirm_button: "確認",
    continue_button: "続行",
    no_account: "アカウントをお持ちでない場合: サインアップ",
    have_account: "アカウントをお持ちの場合: サインイン",
    forgot_password: "パスワードをお忘れの場合",
    or_continue_with: "または次の方法で続行",
    sign_in_with: "{} でサインイン",
    simulated: "amplify-local によるシミュレーション",
    consent_note: "実際のアカウントには接続しません。プロバイダーが返す情報を編集して続行してください。",
    code_note: "amplify-local はメールを送信しません。確認コード:",
    err_credentials: "ユーザー名またはパスワードが正しくありません。",
    err_unconfirmed: "このアカウントはまだ確認されていません。もう一度サインアップしてコードを取得するか、管理者に確認を依頼してください。",
    err_disabled: "このアカウントは無効になっています。",
    err_required: "すべての項目を入力してください。",
    err_user_exists: "このユーザー名のアカウントは既に存在します。",
    err_password_policy: "パスワードは 8 文字以上で、大文字、小文字、数字、記号を含める必要があります。",
    err_username: "ユーザー名は空にできず、空白や不可視文字を含めることはできません。",
    err_username_length: "ユーザー名は128文字以内で入力してください。",
    err_attribute: "属性「{}」はサインアップ時に設定できません。",
    err_attribute_length: "「{}」の値が長すぎます。2048文字以内で入力してください。",
    err_email: "有効なメールアドレスを入力してください。",
    err_code_mismatch: "確認コードが無効です。もう一度お試しください。",
    err_code_expired: "このコードは有効期限切れです。もう一度サインアップして新しいコードを取得してください。",
    err_internal: "内部エラーが発生しました。もう一度お試しください。",
    err_csrf: "このフォームは期限切れか、このページから送信されていません。もう一度お試しください。",
    err_attempts: "失敗した試行が多すぎます。しばらく待ってから、もう一度お試しください。",
    confirmed_sign_in: "アカウントが確認されました。続行するにはサインインしてください。",
};

#[cfg(test)]
mod tests {
    use super::Lang;

    #[test]
    fn languages_parse_with_fallback() {
        assert_eq!(Lang::parse(Some("fr")), Lang::Fr);
        assert_eq!(Lang::parse(Some("de-DE")), Lang::De);
        assert_eq!(Lang::parse(Some("ES")), Lang::Es);
        assert_eq!(Lang::parse(Some("ja")), Lang::Ja);
        assert_eq!(Lang::parse(Some("xx")), Lang::En);
        assert_eq!(Lang::parse(None), Lang::En);
        assert_eq!(Lang::Fr.text().sign_in_title, "Connexion");
        assert_eq!(Lang::Fr.text().sign_in_button, "Se connecter");
    }
}
