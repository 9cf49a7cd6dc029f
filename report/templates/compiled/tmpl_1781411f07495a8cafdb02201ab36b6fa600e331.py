from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'plan.html.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_lang = resolve('lang')
    l_0_T = resolve('T')
    l_0_p = resolve('p')
    l_0_summary = resolve('summary')
    try:
        t_1 = environment.filters['join']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'join' found.")
    try:
        t_2 = environment.tests['none']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No test named 'none' found.")
    pass
    yield '<!doctype html>\n<html lang="'
    yield escape(environment.finalize(('zh-CN' if ((undefined(name='lang') if l_0_lang is missing else l_0_lang) == 'zh') else 'en')))
    yield '">\n<head>\n<meta charset="utf-8">\n<title>'
    yield escape(environment.finalize(environment.getattr((undefined(name='T') if l_0_T is missing else l_0_T), 'title')))
    yield ': '
    yield escape(environment.finalize(environment.getattr(environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'target'), 'name')))
    yield '</title>\n<style>\nbody{font-family:system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;margin:2rem auto;max-width:1100px;color:#1d2733;padding:0 1rem}\ntable{border-collapse:collapse;width:100%}th,td{border:1px solid #d5dbe2;padding:.35rem .5rem;text-align:left;vertical-align:top;font-size:.9rem}\nth{background:#f3f5f8}.sev-critical{color:#b3261e;font-weight:600}.sev-high{color:#c25400}.sev-medium{color:#8a5a00}\n.note{color:#556;font-size:.85rem}code{background:#f3f5f8;padding:0 .2rem}section{margin-top:1.5rem}\n</style>\n</head>\n<body>\n<h1>'
    yield escape(environment.finalize(environment.getattr((undefined(name='T') if l_0_T is missing else l_0_T), 'title')))
    yield ': '
    yield escape(environment.finalize(environment.getattr(environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'target'), 'name')))
    yield '</h1>\n<p class="note">'
    yield escape(environment.finalize(environment.getattr((undefined(name='T') if l_0_T is missing else l_0_T), 'report')))
    yield ' '
    yield escape(environment.finalize(environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'report_id')))
    yield ' ('
    yield escape(environment.finalize(environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'assessed_at')))
    yield ') · '
    yield escape(environment.finalize(environment.getattr((undefined(name='T') if l_0_T is missing else l_0_T), 'made_on')))
    yield ' '
    yield escape(environment.finalize(environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'today')))
    yield ' · '
    yield escape(environment.finalize((undefined(name='summary') if l_0_summary is missing else l_0_summary)))
    yield '</p>\n'
    if (not environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'tasks')):
        pass
        yield '<p>'
        yield escape(environment.finalize(environment.getattr((undefined(name='T') if l_0_T is missing else l_0_T), 'none')))
        yield '</p>\n'
    else:
        pass
        yield '<table>\n<tr><th>#</th><th>'
        yield escape(environment.finalize(environment.getattr((undefined(name='T') if l_0_T is missing else l_0_T), 'severity')))
        yield '</th><th>'
        yield escape(environment.finalize(environment.getattr((undefined(name='T') if l_0_T is missing else l_0_T), 'due')))
        yield '</th><th>'
        yield escape(environment.finalize(environment.getattr((undefined(name='T') if l_0_T is missing else l_0_T), 'owner')))
        yield '</th><th>'
        yield escape(environment.finalize(environment.getattr((undefined(name='T') if l_0_T is missing else l_0_T), 'objective')))
        yield '</th></tr>\n'
        for l_1_t in environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'tasks'):
            l_1_L = resolve('L')
            l_1_owner = resolve('owner')
            _loop_vars = {}
            pass
            yield '<tr><td><a href="#'
            yield escape(environment.finalize(environment.getattr(l_1_t, 'id')))
            yield '">'
            yield escape(environment.finalize(environment.getattr(l_1_t, 'id')))
            yield '</a></td><td class="sev-'
            yield escape(environment.finalize(environment.getattr(l_1_t, 'severity')))
            yield '">'
            yield escape(environment.finalize(context.call(environment.getattr((undefined(name='L') if l_1_L is missing else l_1_L), 'severity'), environment.getattr(l_1_t, 'severity'), _loop_vars=_loop_vars)))
            yield '</td><td>'
            yield escape(environment.finalize(environment.getattr(l_1_t, 'due')))
            yield '</td><td>'
            yield escape(environment.finalize(context.call((undefined(name='owner') if l_1_owner is missing else l_1_owner), l_1_t, _loop_vars=_loop_vars)))
            yield '</td><td>'
            yield escape(environment.finalize(environment.getitem(environment.getattr(l_1_t, 'objective'), (undefined(name='lang') if l_0_lang is missing else l_0_lang))))
            yield '</td></tr>\n'
        l_1_t = l_1_L = l_1_owner = missing
        yield '</table>\n'
        l_1_loop = missing
        for l_1_t, l_1_loop in LoopContext(environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'tasks'), undefined):
            l_1_L = resolve('L')
            l_1_owner = resolve('owner')
            _loop_vars = {}
            pass
            yield '<section id="'
            yield escape(environment.finalize(environment.getattr(l_1_t, 'id')))
            yield '">\n<h2>'
            yield escape(environment.finalize(environment.getattr(l_1_t, 'id')))
            yield ' '
            yield escape(environment.finalize(environment.getitem(environment.getattr(l_1_t, 'objective'), (undefined(name='lang') if l_0_lang is missing else l_0_lang))))
            yield '</h2>\n<p><span class="sev-'
            yield escape(environment.finalize(environment.getattr(l_1_t, 'severity')))
            yield '">'
            yield escape(environment.finalize(context.call(environment.getattr((undefined(name='L') if l_1_L is missing else l_1_L), 'severity'), environment.getattr(l_1_t, 'severity'), _loop_vars=_loop_vars)))
            yield '</span> · '
            yield escape(environment.finalize(environment.getattr((undefined(name='T') if l_0_T is missing else l_0_T), 'owner')))
            yield ': '
            yield escape(environment.finalize(context.call((undefined(name='owner') if l_1_owner is missing else l_1_owner), l_1_t, _loop_vars=_loop_vars)))
            yield ' · '
            yield escape(environment.finalize(environment.getattr((undefined(name='T') if l_0_T is missing else l_0_T), 'due')))
            yield ': '
            yield escape(environment.finalize(environment.getattr(l_1_t, 'due')))
            yield ' ('
            yield escape(environment.finalize(environment.getattr(l_1_t, 'sla_days')))
            yield ' '
            yield escape(environment.finalize(environment.getattr((undefined(name='T') if l_0_T is missing else l_0_T), 'days')))
            yield ')'
            if environment.getattr(l_1_t, 'high_risk_case'):
                pass
                yield ' · '
                yield escape(environment.finalize(environment.getattr((undefined(name='T') if l_0_T is missing else l_0_T), 'high_risk')))
                yield ': '
                yield escape(environment.finalize(environment.getattr(l_1_t, 'high_risk_case')))
            yield '</p>\n<p class="note">'
            yield escape(environment.finalize(environment.getattr((undefined(name='T') if l_0_T is missing else l_0_T), 'mlps')))
            yield ': '
            yield escape(environment.finalize(t_1(context.eval_ctx, environment.getattr(l_1_t, 'mlps'), ', ')))
            yield ' · '
            yield escape(environment.finalize(environment.getattr((undefined(name='T') if l_0_T is missing else l_0_T), 'targets')))
            yield ': '
            l_2_loop = missing
            for l_2_x, l_2_loop in LoopContext(environment.getattr(l_1_t, 'targets'), undefined):
                _loop_vars = {}
                pass
                yield escape(environment.finalize(environment.getattr(l_2_x, 'name')))
                if (not environment.getattr(l_2_loop, 'last')):
                    pass
                    yield ', '
            l_2_loop = l_2_x = missing
            yield '</p>\n<h3>'
            yield escape(environment.finalize(environment.getattr((undefined(name='T') if l_0_T is missing else l_0_T), 'steps')))
            yield '</h3>\n<ol>\n'
            for l_2_step in environment.getitem(environment.getattr(l_1_t, 'steps'), (undefined(name='lang') if l_0_lang is missing else l_0_lang)):
                _loop_vars = {}
                pass
                yield '<li>'
                yield escape(environment.finalize(l_2_step))
                yield '</li>\n'
            l_2_step = missing
            yield '</ol>\n<p>'
            yield escape(environment.finalize(environment.getattr((undefined(name='T') if l_0_T is missing else l_0_T), 'verify')))
            yield ': '
            l_2_loop = missing
            for l_2_v, l_2_loop in LoopContext(environment.getattr(l_1_t, 'verify_with'), undefined):
                _loop_vars = {}
                pass
                yield '<code>'
                yield escape(environment.finalize(environment.getattr(l_2_v, 'check_id')))
                yield '</code>'
                if (not t_2(environment.getattr(l_2_v, 'target'))):
                    pass
                    yield ' @ '
                    yield escape(environment.finalize(environment.getattr(l_2_v, 'target')))
                if (not environment.getattr(l_2_loop, 'last')):
                    pass
                    yield ', '
            l_2_loop = l_2_v = missing
            yield '</p>\n</section>\n'
        l_1_loop = l_1_t = l_1_L = l_1_owner = missing
        yield '<p class="note">'
        yield escape(environment.finalize(environment.getattr((undefined(name='T') if l_0_T is missing else l_0_T), 'verify_note')))
        yield '</p>\n'
    yield '</body>\n</html>'

blocks = {}
debug_info = '2=28&5=30&14=34&15=38&16=50&17=53&20=58&21=66&22=72&25=89&26=95&27=97&28=101&29=124&30=140&32=142&33=146&36=150&39=170'