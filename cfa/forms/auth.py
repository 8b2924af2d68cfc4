from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from cfa.services.accounts import MIN_PASSWORD


class LoginForm(FlaskForm):
    email = EmailField("Adresse e-mail", validators=[DataRequired("Indiquez votre adresse e-mail.")])
    password = PasswordField("Mot de passe", validators=[DataRequired("Indiquez votre mot de passe.")])
    remember = BooleanField("Rester connecté·e sur cet appareil")
    submit = SubmitField("Se connecter")


class NewPasswordForm(FlaskForm):
    new = PasswordField(
        "Nouveau mot de passe",
        validators=[
            DataRequired("Choisissez un nouveau mot de passe."),
            Length(min=MIN_PASSWORD, message=f"Au moins {MIN_PASSWORD} caractères."),
        ],
        description=f"Au moins {MIN_PASSWORD} caractères ; une phrase de plusieurs mots se retient mieux.",
    )
    confirm = PasswordField(
        "Confirmation",
        validators=[
            DataRequired("Confirmez le nouveau mot de passe."),
            EqualTo("new", message="Les deux mots de passe ne sont pas identiques."),
        ],
    )
    submit = SubmitField("Enregistrer le mot de passe")


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField("Mot de passe actuel", validators=[DataRequired("Indiquez votre mot de passe actuel.")])


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        "Adresse e-mail",
        validators=[DataRequired("Indiquez votre adresse e-mail."), Email("Adresse e-mail invalide.")],
    )
    submit = SubmitField("Recevoir un lien")
