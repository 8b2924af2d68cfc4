"""Forms of the imports: the file and its kind, then the confirmation of a dry run."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectField
from wtforms.validators import AnyOf, Length, Regexp

from cfa.forms.admin import required


class ImportUploadForm(FlaskForm):
    kind = SelectField("Données à importer", validators=[required()])
    upload = FileField(
        "Fichier",
        validators=[FileRequired("Choisissez un fichier CSV ou XLSX.")],
        description="CSV (UTF-8 ou Windows, séparé par des virgules ou des points-virgules) ou XLSX, 5 Mo au plus.",
    )

    def set_kinds(self, kinds: dict) -> None:
        self.kind.choices = [(name, kind.title) for name, kind in kinds.items()]


class ImportConfirmForm(FlaskForm):
    kind = HiddenField(validators=[required()])
    digest = HiddenField(validators=[Regexp(r"^[0-9a-f]{64}$", message="Essai inconnu : déposez le fichier.")])
    filename = HiddenField(validators=[required(), Length(max=200)])

    def set_kinds(self, kinds: dict) -> None:
        self.kind.validators = [required(), AnyOf(list(kinds), message="Type d'import inconnu.")]
