from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

MIN_PASSWORD = 10


class LoginForm(FlaskForm):
    email = EmailField("Adresse e-mail", validators=[DataRequired("Indiquez votre adresse e-mail.")])
    password = PasswordField("Mot de passe", validators=[DataRequired("Indiquez votre mot de passe.")])
    remember = BooleanField("Rester connecté·e sur cet appareil")
    submit = SubmitField("Se connecter")


class ChangePasswordForm(FlaskForm):
    current = PasswordField("Mot de passe actuel", validators=[DataRequired("Indiquez votre mot de passe actuel.")])
    new = PasswordField(
        "Nouveau mot de passe",
        validators=[
            DataRequired("Choisissez un nouveau mot de passe."),
            Length(min=MIN_PASSWORD, message=f"Au moins {MIN_PASSWORD} caractères."),
        ],
        description=f"Au moins {MIN_PASSWORD} caractères.",
    )
    confirm = PasswordField(
        "Confirmation",
        validators=[
            DataRequired("Confirmez le nouveau mot de passe."),
            EqualTo("new", message="Les deux mots de passe ne sont pas identiques."),
        ],
    )
    submit = SubmitField("Changer le mot de passe")
