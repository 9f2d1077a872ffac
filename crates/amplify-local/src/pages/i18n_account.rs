//! Page text of the sign-in challenges (new password, MFA) and password
//! reset, in the same languages as [`super::i18n`].

use super::Lang;

/// Every string the challenge and reset pages show.
#[derive(Debug)]
pub(crate) struct AccountText {
    pub(crate) new_password_title: &'static str,
    pub(crate) new_password: &'static str,
    pub(crate) new_password_note: &'static str,
    pub(crate) mfa_title: &'static str,
    pub(crate) code: &'static str,
    pub(crate) totp_note: &'static str,
    /// Before a code amplify-local shows instead of sending it.
    pub(crate) sent_note: &'static str,
    pub(crate) setup_title: &'static str,
    pub(crate) setup_note: &'static str,
    pub(crate) secret_label: &'static str,
    pub(crate) email_setup_note: &'static str,
    pub(crate) select_title: &'static str,
    pub(crate) choice_sms: &'static str,
    pub(crate) choice_totp: &'static str,
    pub(crate) choice_email: &'static str,
    pub(crate) verify_button: &'static str,
    pub(crate) forgot_title: &'static str,
    pub(crate) forgot_note: &'static str,
    /// [`AccountText::forgot_note`] when usernames are email addresses.
    pub(crate) forgot_note_email: &'static str,
    pub(crate) send_code: &'static str,
    pub(crate) reset_title: &'static str,
    pub(crate) reset_button: &'static str,
    pub(crate) reset_done: &'static str,
    pub(crate) back_to_sign_in: &'static str,
    pub(crate) err_session: &'static str,
    pub(crate) err_code: &'static str,
}

impl Lang {
    /// The challenge and reset page text.
    pub(crate) fn account(self) -> &'static AccountText {
        match self {
            Self::En => &EN,
            Self::Fr => &FR,
            Self::De => &DE,
            Self::Es => &ES,
            Self::Ja => &JA,
        }
    }
}

static EN: AccountText = AccountText {
    new_password_title: "Set a new password",
    new_password: "New password",
    new_password_note: "Your account was created by an administrator: choose your own password to continue.",
    mfa_title: "Enter your code",
    code: "Code",
    totp_note: "Enter the 6-digit code your authenticator app shows.",
    sent_note: "amplify-local does not send SMS or email. Your code is:",
    setup_title: "Set up an authenticator app",
    setup_note: "Add this key to your authenticator app (or open the otpauth link with it), then enter the code it shows.",
    secret_label: "Secret key",
    email_setup_note: "Enter the email address that will receive your sign-in codes.",
    select_title: "Choose how to verify it's you",
    choice_sms: "Text message (SMS)",
    choice_totp: "Authenticator app",
    choice_email: "Email",
    verify_button: "Verify",
    forgot_title: "Reset your password",
    forgot_note: "Enter your username: a code to reset your password will be sent to you.",
    forgot_note_email: "Enter your email address: a code to reset your password will be sent to you.",
    send_code: "Send code",
    reset_title: "Choose a new password",
    reset_button: "Reset password",
    reset_done: "Your password was reset. Sign in with your new password.",
    back_to_sign_in: "Back to sign in",
    err_session: "This sign-in took too long or was already used. Please sign in again.",
    err_code: "The code is wrong. Please try again.",
};

static FR: AccountText = AccountText {
    new_password_title: "Définir un nouveau mot de passe",
    new_password: "Nouveau mot de passe",
    new_password_note: "Votre compte a été créé par un administrateur : choisissez votre propre mot de passe pour continuer.",
    mfa_title: "Saisissez votre code",
    code: "Code",
    totp_note: "Saisissez le code à 6 chiffres affiché par votre application d'authentification.",
    sent_note: "amplify-local n'envoie ni SMS ni e-mail. Votre code est :",
    setup_title: "Configurer une application d'authentification",
    setup_note: "Ajoutez cette clé à votre application d'authentification (ou ouvrez-y le lien otpauth), puis saisissez le code qu'elle affiche.",
    secret_label: "Clé secrète",
    email_setup_note: "Saisissez l'adresse e-mail qui recevra vos codes de connexion.",
    select_title: "Choisissez comment confirmer votre identité",
    choice_sms: "SMS",
    choice_totp: "Application d'authentification",
    choice_email: "E-mail",
    verify_button: "Vérifier",
    forgot_title: "Réinitialiser votre mot de passe",
    forgot_note: "Saisissez votre nom d'utilisateur : un code de réinitialisation vous sera envoyé.",
    forgot_note_email: "Saisissez votre adresse e-mail : un code de réinitialisation vous sera envoyé.",
    send_code: "Envoyer le code",
    reset_title: "Choisir un nouveau mot de passe",
    reset_button: "Réinitialiser le mot de passe",
    reset_done: "Votre mot de passe a été réinitialisé. Connectez-vous avec le nouveau.",
    back_to_sign_in: "Retour à la connexion",
    err_session: "Cette connexion a pris trop de temps ou a déjà été utilisée. Veuillez vous reconnecter.",
    err_code: "Le code est incorrect. Veuillez réessayer.",
};

static DE: AccountText = AccountText {
    new_password_title: "Neues Passwort festlegen",
    new_password: "Neues Passwort",
    new_password_note: "Ihr Konto wurde von einem Administrator angelegt: Wählen Sie ein eigenes Passwort, um fortzufahren.",
    mfa_title: "Code eingeben",
    code: "Code",
    totp_note: "Geben Sie den 6-stelligen Code aus Ihrer Authenticator-App ein.",
    sent_note: "amplify-local sendet keine SMS oder E-Mails. Ihr Code lautet:",
    setup_title: "Authenticator-App einrichten",
    setup_note: "Fügen Sie diesen Schlüssel Ihrer Authenticator-App hinzu (oder öffnen Sie den otpauth-Link damit) und geben Sie den angezeigten Code ein.",
    secret_label: "Geheimer Schlüssel",
    email_setup_note: "Geben Sie die E-Mail-Adresse ein, an die Ihre Anmeldecodes gehen.",
    select_title: "Wählen Sie, wie Sie sich bestätigen",
    choice_sms: "SMS",
    choice_totp: "Authenticator-App",
    choice_email: "E-Mail",
    verify_button: "Bestätigen",
    forgot_title: "Passwort zurücksetzen",
    forgot_note: "Geben Sie Ihren Benutzernamen ein: Sie erhalten einen Code zum Zurücksetzen Ihres Passworts.",
    forgot_note_email: "Geben Sie Ihre E-Mail-Adresse ein: Sie erhalten einen Code zum Zurücksetzen Ihres Passworts.",
    send_code: "Code senden",
    reset_title: "Neues Passwort wählen",
    reset_button: "Passwort zurücksetzen",
    reset_done: "Ihr Passwort wurde zurückgesetzt. Melden Sie sich mit dem neuen Passwort an.",
    back_to_sign_in: "Zurück zur Anmeldung",
    err_session: "Diese Anmeldung hat zu lange gedauert oder wurde bereits verwendet. Bitte melden Sie sich erneut an.",
    err_code: "Der Code ist falsch. Bitte versuchen Sie es erneut.",
};

static ES: AccountText = AccountText {
    new_password_title: "Establecer una contraseña nueva",
    new_password: "Contraseña nueva",
    new_password_note: "Un administrador creó su cuenta: elija su propia contraseña para continuar.",
    mfa_title: "Introduzca su código",
    code: "Código",
    totp_note: "Introduzca el código de 6 dígitos que muestra su aplicación de autenticación.",
    sent_note: "amplify-local no envía SMS ni correos. Su código es:",
    setup_title: "Configurar una aplicación de autenticación",
    setup_note: "Añada esta clave a su aplicación de autenticación (o abra con ella el enlace otpauth) e introduzca el código que muestra.",
    secret_label: "Clave secreta",
    email_setup_note: "Introduzca el correo electrónico que recibirá sus códigos de inicio de sesión.",
    select_title: "Elija cómo verificar su identidad",
    choice_sms: "Mensaje de texto (SMS)",
    choice_totp: "Aplicación de autenticación",
    choice_email: "Correo electrónico",
    verify_button: "Verificar",
    forgot_title: "Restablecer su contraseña",
    forgot_note: "Introduzca su nombre de usuario: recibirá un código para restablecer su contraseña.",
    forgot_note_email: "Introduzca su dirección de correo electrónico: recibirá un código para restablecer su contraseña.",
    send_code: "Enviar código",
    reset_title: "Elegir una contraseña nueva",
    reset_button: "Restablecer contraseña",
    reset_done: "Se restableció su contraseña. Inicie sesión con la nueva.",
    back_to_sign_in: "Volver a iniciar sesión",
    err_session: "Este inicio de sesión tardó demasiado o ya se usó. Inicie sesión de nuevo.",
    err_code: "El código no es correcto. Inténtelo de nuevo.",
};

static JA: AccountText = AccountText {
    new_password_title: "新しいパスワードの設定",
    new_password: "新しいパスワード",
    new_password_note: "このアカウントは管理者が作成しました。続行するには自分のパスワードを設定してください。",
    mfa_title: "コードを入力",
    code: "コード",
    totp_note: "認証アプリに表示される6桁のコードを入力してください。",
    sent_note: "amplify-local は SMS やメールを送信しません。コードは次のとおりです:",
    setup_title: "認証アプリの設定",
    setup_note: "このキーを認証アプリに追加する(または otpauth リンクを認証アプリで開く)と表示されるコードを入力してください。",
    secret_label: "シークレットキー",
    email_setup_note: "サインインコードを受け取るメールアドレスを入力してください。",
    select_title: "本人確認の方法を選択",
    choice_sms: "テキストメッセージ (SMS)",
    choice_totp: "認証アプリ",
    choice_email: "メール",
    verify_button: "確認",
    forgot_title: "パスワードのリセット",
    forgot_note: "ユーザー名を入力してください。パスワードをリセットするためのコードが送信されます。",
    forgot_note_email: "メールアドレスを入力してください。パスワードをリセットするためのコードが送信されます。",
    send_code: "コードを送信",
    reset_title: "新しいパスワードを選択",
    reset_button: "パスワードをリセット",
    reset_done: "パスワードをリセットしました。新しいパスワードでサインインしてください。",
    back_to_sign_in: "サインインに戻る",
    err_session: "このサインインは時間がかかりすぎたか、すでに使用されています。もう一度サインインしてください。",
    err_code: "コードが正しくありません。もう一度お試しください。",
};

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &AccountText) -> [&'static str; 26] {
        [
            text.new_password_title,
            text.new_password,
            text.new_password_note,
            text.mfa_title,
            text.code,
            text.totp_note,
            text.sent_note,
            text.setup_title,
            text.setup_note,
            text.secret_label,
            text.email_setup_note,
            text.select_title,
            text.choice_sms,
            text.choice_totp,
            text.choice_email,
            text.verify_button,
            text.forgot_title,
            text.forgot_note,
            text.forgot_note_email,
            text.send_code,
            text.reset_title,
            text.reset_button,
            text.reset_done,
            text.back_to_sign_in,
            text.err_session,
            text.err_code,
        ]
    }

    #[test]
    fn every_language_has_its_own_text() {
        let english = all(Lang::En.account());
        for lang in [Lang::Fr, Lang::De, Lang::Es, Lang::Ja] {
            let text = all(lang.account());
            assert!(text.iter().all(|s| !s.trim().is_empty()), "{lang:?}");
            let translated = text.iter().zip(english).filter(|(a, b)| *a != b).count();
            // "Code", "SMS" and the like may be the same word.
            assert!(
                translated >= 22,
                "{lang:?}: only {translated} strings translated"
            );
        }
    }
}
