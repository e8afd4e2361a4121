from django import forms

from community.models import BODY_MAX, TITLE_MAX


class TopicForm(forms.Form):
    title = forms.CharField(max_length=TITLE_MAX)
    body = forms.CharField(
        max_length=BODY_MAX,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Markdown: **bold**, `code`, ``` fenced code blocks ```, lists, links.",
    )
    announce = forms.BooleanField(
        required=False, label="Announcement: pin it and notify every participant (hosts only)"
    )


class PostForm(forms.Form):
    body = forms.CharField(
        label="Your reply", max_length=BODY_MAX, strip=False, widget=forms.Textarea(attrs={"rows": 6})
    )


class ReportForm(forms.Form):
    reason = forms.CharField(max_length=500, required=False)
