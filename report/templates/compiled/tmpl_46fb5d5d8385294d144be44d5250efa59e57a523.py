from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'questionnaire.html.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_lang = resolve('lang')
    l_0_a = resolve('a')
    l_0_namespace = resolve('namespace')
    l_0_rows = resolve('rows')
    l_0_ns = missing
    pass
    yield '<!doctype html>\n<html lang="'
    yield escape(environment.finalize(('zh-CN' if ((undefined(name='lang') if l_0_lang is missing else l_0_lang) == 'zh') else 'en')))
    yield '">\n<head>\n<meta charset="utf-8">\n<title>'
    yield escape(environment.finalize(environment.getitem(environment.getattr(environment.getattr((undefined(name='a') if l_0_a is missing else l_0_a), 'definition'), 'title'), (undefined(name='lang') if l_0_lang is missing else l_0_lang))))
    yield '</title>\n<style>\nbody{font-family:system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;margin:2rem auto;max-width:1100px;color:#1d2733;padding:0 1rem}\ntable{border-collapse:collapse;width:100%}th,td{border:1px solid #d5dbe2;padding:.35rem .5rem;text-align:left;vertical-align:top;font-size:.9rem}\nth{background:#f3f5f8}.b-derived{color:#1b7f3b}.b-attested{color:#5a4ea8}.b-unknown{color:#8a5a00}.conflict{color:#b3261e;font-weight:600}\nh2{margin-top:1.5rem}.note{color:#556;font-size:.85rem}\n</style>\n</head>\n<body>\n<h1>'
    yield escape(environment.finalize(environment.getitem(environment.getattr(environment.getattr((undefined(name='a') if l_0_a is missing else l_0_a), 'definition'), 'title'), (undefined(name='lang') if l_0_lang is missing else l_0_lang))))
    yield '</h1>\n<p class="note">'
    yield escape(environment.finalize(environment.getattr((undefined(name='a') if l_0_a is missing else l_0_a), 'id')))
    yield ' '
    yield escape(environment.finalize(environment.getattr((undefined(name='a') if l_0_a is missing else l_0_a), 'version')))
    yield ' ·\n'
    if ((undefined(name='lang') if l_0_lang is missing else l_0_lang) == 'zh'):
        pass
        yield '证据推导 '
        yield escape(environment.finalize(environment.getattr(environment.getattr((undefined(name='a') if l_0_a is missing else l_0_a), 'summary'), 'derived')))
        yield '，填报人声明 '
        yield escape(environment.finalize(environment.getattr(environment.getattr((undefined(name='a') if l_0_a is missing else l_0_a), 'summary'), 'attested')))
        yield '，未知 '
        yield escape(environment.finalize(environment.getattr(environment.getattr((undefined(name='a') if l_0_a is missing else l_0_a), 'summary'), 'unknown')))
        yield '，冲突 '
        yield escape(environment.finalize(environment.getattr(environment.getattr((undefined(name='a') if l_0_a is missing else l_0_a), 'summary'), 'conflicts')))
    else:
        pass
        yield 'derived '
        yield escape(environment.finalize(environment.getattr(environment.getattr((undefined(name='a') if l_0_a is missing else l_0_a), 'summary'), 'derived')))
        yield ', attested '
        yield escape(environment.finalize(environment.getattr(environment.getattr((undefined(name='a') if l_0_a is missing else l_0_a), 'summary'), 'attested')))
        yield ', unknown '
        yield escape(environment.finalize(environment.getattr(environment.getattr((undefined(name='a') if l_0_a is missing else l_0_a), 'summary'), 'unknown')))
        yield ', conflicts '
        yield escape(environment.finalize(environment.getattr(environment.getattr((undefined(name='a') if l_0_a is missing else l_0_a), 'summary'), 'conflicts')))
    yield '</p>\n'
    l_0_ns = context.call((undefined(name='namespace') if l_0_namespace is missing else l_0_namespace), section='')
    context.vars['ns'] = l_0_ns
    context.exported_vars.add('ns')
    for l_1_r in (undefined(name='rows') if l_0_rows is missing else l_0_rows):
        _loop_vars = {}
        pass
        if (environment.getattr(l_1_r, 'section') != environment.getattr((undefined(name='ns') if l_0_ns is missing else l_0_ns), 'section')):
            pass
            if environment.getattr((undefined(name='ns') if l_0_ns is missing else l_0_ns), 'section'):
                pass
                yield '</table>'
            if not isinstance(l_0_ns, Namespace):
                raise TemplateRuntimeError("cannot assign attribute on non-namespace object")
            l_0_ns['section'] = environment.getattr(l_1_r, 'section')
            yield '<h2>'
            yield escape(environment.finalize(environment.getattr(l_1_r, 'section')))
            yield '</h2>\n<table>\n<tr><th>#</th><th>'
            yield escape(environment.finalize(('问题' if ((undefined(name='lang') if l_0_lang is missing else l_0_lang) == 'zh') else 'Question')))
            yield '</th><th>'
            yield escape(environment.finalize(('回答' if ((undefined(name='lang') if l_0_lang is missing else l_0_lang) == 'zh') else 'Answer')))
            yield '</th><th>'
            yield escape(environment.finalize(('依据' if ((undefined(name='lang') if l_0_lang is missing else l_0_lang) == 'zh') else 'Basis')))
            yield '</th></tr>\n'
        yield '<tr><td>'
        yield escape(environment.finalize(environment.getattr(l_1_r, 'id')))
        yield '</td><td>'
        yield escape(environment.finalize(environment.getattr(l_1_r, 'question')))
        if environment.getattr(l_1_r, 'mlps'):
            pass
            yield '<br><span class="note">'
            yield escape(environment.finalize(environment.getattr(l_1_r, 'mlps')))
            yield '</span>'
        yield '</td>\n<td>'
        yield escape(environment.finalize((environment.getattr(l_1_r, 'answer') or '—')))
        yield '</td>\n<td class="b-'
        yield escape(environment.finalize(environment.getattr(l_1_r, 'basis_code')))
        yield '">'
        yield escape(environment.finalize(environment.getattr(l_1_r, 'basis')))
        if environment.getattr(l_1_r, 'evidence'):
            pass
            yield '<br><span class="note">'
            yield escape(environment.finalize(environment.getattr(l_1_r, 'evidence')))
            yield '</span>'
        if environment.getattr(l_1_r, 'attested_by'):
            pass
            yield '<br><span class="note">'
            yield escape(environment.finalize(environment.getattr(l_1_r, 'attested_by')))
            yield ' '
            yield escape(environment.finalize(environment.getattr(l_1_r, 'attested_at')))
            yield '</span>'
        if environment.getattr(l_1_r, 'conflict'):
            pass
            yield '<br><span class="conflict">'
            yield escape(environment.finalize(('冲突：' if ((undefined(name='lang') if l_0_lang is missing else l_0_lang) == 'zh') else 'Conflict: ')))
            yield escape(environment.finalize(environment.getattr(l_1_r, 'conflict')))
            yield '</span>'
        yield '</td></tr>\n'
    l_1_r = missing
    if environment.getattr((undefined(name='ns') if l_0_ns is missing else l_0_ns), 'section'):
        pass
        yield '</table>'
    yield '</body>\n</html>'

blocks = {}
debug_info = '2=17&5=19&14=21&15=23&16=27&17=48&18=51&19=54&20=56&21=61&22=63&24=65&26=72&27=81&28=83&30=106'