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
    l_0_family = resolve('family')
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
    yield '</title>\n<style>\nbody{font-family:system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;margin:2rem auto;max-width:1100px;color:#1d2733;padding:0 1rem}\ntable{border-collapse:collapse;width:100%}th,td{border:1px solid #d5dbe2;padding:.35rem .5rem;text-align:left;vertical-align:top;font-size:.9rem}\nth{background:#f3f5f8}.sev-critical{color:#b3261e;font-weight:600}.sev-high{color:#c25400}.sev-medium{color:#8a5a00}\n.note{color:#556;font-size:.85rem}code{background:#f3f5f8;padding:0 .2rem}section{margin-top:1.5rem}\n.warn{border-left:4px solid #c25400;background:#fff6ec;padding:.4rem .7rem;margin:.6rem 0}td.v{font-family:ui-monospace,monospace;word-break:break-all}\n</style>\n</head>\n<body>\n<h1>'
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
    yield escape(environment.finalize(environment.getattr((undefined(name='T') if l_0_T is missing else l_0_T), 'os_family')))
    yield ': '
    yield escape(environment.finalize((undefined(name='family') if l_0_family is missing else l_0_family)))
    yield '</p>\n<p>'
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
        yield escape(environment.finalize(environment.getattr((undefined(name='T') if l_0_T is missing else l_0_T), 'kind')))
        yield '</th><th>'
        yield escape(environment.finalize(environment.getattr((undefined(name='T') if l_0_T is missing else l_0_T), 'task')))
        yield '</th><th>'
        yield escape(environment.finalize(environment.getattr((undefined(name='T') if l_0_T is missing else l_0_T), 'severity')))
        yield '</th><th>'
        yield escape(environment.finalize(environment.getattr((undefined(name='T') if l_0_T is missing else l_0_T), 'due')))
        yield '</th><th>'
        yield escape(environment.finalize(environment.getattr((undefined(name='T') if l_0_T is missing else l_0_T), 'owner')))
        yield '</th></tr>\n'
        l_1_loop = missing
        for l_1_t, l_1_loop in LoopContext(environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'tasks'), undefined):
            l_1_words = resolve('words')
            l_1_K = resolve('K')
            l_1_L = resolve('L')
            l_1_owner = resolve('owner')
            l_1_d = missing
            _loop_vars = {}
            pass
            l_1_d = environment.getitem((undefined(name='words') if l_1_words is missing else l_1_words), environment.getattr(l_1_loop, 'index0'))
            _loop_vars['d'] = l_1_d
            yield '<tr><td><a href="#'
            yield escape(environment.finalize(environment.getattr(l_1_t, 'id')))
            yield '">'
            yield escape(environment.finalize(environment.getattr(l_1_t, 'id')))
            yield '</a></td><td>'
            yield escape(environment.finalize(environment.getitem((undefined(name='K') if l_1_K is missing else l_1_K), environment.getattr(environment.getattr(l_1_t, 'kind'), 'value'))))
            yield '</td><td>'
            yield escape(environment.finalize(environment.getattr((undefined(name='d') if l_1_d is missing else l_1_d), 'title')))
            yield '</td><td class="sev-'
            yield escape(environment.finalize(environment.getattr(l_1_t, 'severity')))
            yield '">'
            yield escape(environment.finalize(context.call(environment.getattr((undefined(name='L') if l_1_L is missing else l_1_L), 'severity'), environment.getattr(l_1_t, 'severity'), _loop_vars=_loop_vars)))
            yield '</td><td>'
            yield escape(environment.finalize(environment.getattr(l_1_t, 'due')))
            yield '</td><td>'
            yield escape(environment.finalize(context.call((undefined(name='owner') if l_1_owner is missing else l_1_owner), l_1_t, _loop_vars=_loop_vars)))
            yield '</td></tr>\n'
        l_1_loop = l_1_t = l_1_words = l_1_d = l_1_K = l_1_L = l_1_owner = missing
        yield '</table>\n'
        l_1_loop = missing
        for l_1_t, l_1_loop in LoopContext(environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'tasks'), undefined):
            l_1_words = resolve('words')
            l_1_L = resolve('L')
            l_1_owner = resolve('owner')
            l_1_d = missing
            _loop_vars = {}
            pass
            l_1_d = environment.getitem((undefined(name='words') if l_1_words is missing else l_1_words), environment.getattr(l_1_loop, 'index0'))
            _loop_vars['d'] = l_1_d
            yield '<section id="'
            yield escape(environment.finalize(environment.getattr(l_1_t, 'id')))
            yield '">\n<h2>'
            yield escape(environment.finalize(environment.getattr(l_1_t, 'id')))
            yield ' '
            yield escape(environment.finalize(environment.getattr((undefined(name='d') if l_1_d is missing else l_1_d), 'title')))
            yield '</h2>\n<p><strong>'
            yield escape(environment.finalize(environment.getattr((undefined(name='T') if l_0_T is missing else l_0_T), 'objective')))
            yield ':</strong> '
            yield escape(environment.finalize(environment.getattr((undefined(name='d') if l_1_d is missing else l_1_d), 'objective')))
            yield '</p>\n<p><span class="sev-'
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
            if environment.getattr(l_1_t, 'high_risk_cases'):
                pass
                yield ' · '
                yield escape(environment.finalize(environment.getattr((undefined(name='T') if l_0_T is missing else l_0_T), 'high_risk')))
                yield ': '
                yield escape(environment.finalize(t_1(context.eval_ctx, environment.getattr(l_1_t, 'high_risk_cases'), ', ')))
            yield '</p>\n<p class="note">'
            if environment.getattr(l_1_t, 'mlps'):
                pass
                yield escape(environment.finalize(environment.getattr((undefined(name='T') if l_0_T is missing else l_0_T), 'mlps')))
                yield ': '
                yield escape(environment.finalize(t_1(context.eval_ctx, environment.getattr(l_1_t, 'mlps'), ', ')))
                yield ' · '
            yield escape(environment.finalize(environment.getattr((undefined(name='T') if l_0_T is missing else l_0_T), 'targets')))
            yield ': '
            yield escape(environment.finalize((environment.getattr(l_1_t, 'target') if (not t_2(environment.getattr(l_1_t, 'target'))) else environment.getattr((undefined(name='T') if l_0_T is missing else l_0_T), 'host'))))
            if environment.getattr(l_1_t, 'checks'):
                pass
                yield ' · '
                yield escape(environment.finalize(environment.getattr((undefined(name='T') if l_0_T is missing else l_0_T), 'checks')))
                yield ': '
                yield escape(environment.finalize(t_1(context.eval_ctx, environment.getattr(l_1_t, 'checks'), ', ')))
            yield '</p>\n'
            if environment.getattr((undefined(name='d') if l_1_d is missing else l_1_d), 'settings'):
                pass
                yield '<h3>'
                yield escape(environment.finalize(environment.getattr((undefined(name='T') if l_0_T is missing else l_0_T), 'settings')))
                yield '</h3>\n<table>\n<tr><th>'
                yield escape(environment.finalize(environment.getattr((undefined(name='T') if l_0_T is missing else l_0_T), 'setting')))
                yield '</th><th>'
                yield escape(environment.finalize(environment.getattr((undefined(name='T') if l_0_T is missing else l_0_T), 'current')))
                yield '</th><th>'
                yield escape(environment.finalize(environment.getattr((undefined(name='T') if l_0_T is missing else l_0_T), 'target_value')))
                yield '</th></tr>\n'
                for (l_2_name, l_2_current, l_2_target) in environment.getattr((undefined(name='d') if l_1_d is missing else l_1_d), 'settings'):
                    _loop_vars = {}
                    pass
                    yield '<tr><td>'
                    yield escape(environment.finalize(l_2_name))
                    yield '</td><td class="v">'
                    yield escape(environment.finalize(l_2_current))
                    yield '</td><td class="v">'
                    yield escape(environment.finalize(l_2_target))
                    yield '</td></tr>\n'
                l_2_name = l_2_current = l_2_target = missing
                yield '</table>\n'
            yield '<h3>'
            yield escape(environment.finalize(environment.getattr((undefined(name='T') if l_0_T is missing else l_0_T), 'steps')))
            yield '</h3>\n<ol>\n'
            for l_2_step in environment.getattr((undefined(name='d') if l_1_d is missing else l_1_d), 'steps'):
                _loop_vars = {}
                pass
                yield '<li>'
                yield escape(environment.finalize(l_2_step))
                yield '</li>\n'
            l_2_step = missing
            yield '</ol>\n'
            for l_2_note in environment.getattr((undefined(name='d') if l_1_d is missing else l_1_d), 'notes'):
                _loop_vars = {}
                pass
                yield '<p class="warn"><strong>'
                yield escape(environment.finalize(environment.getattr((undefined(name='T') if l_0_T is missing else l_0_T), 'notes')))
                yield ':</strong> '
                yield escape(environment.finalize(l_2_note))
                yield '</p>\n'
            l_2_note = missing
            yield '<h3>'
            yield escape(environment.finalize(environment.getattr((undefined(name='T') if l_0_T is missing else l_0_T), 'verify')))
            yield '</h3>\n<ul>\n'
            for l_2_v in environment.getattr((undefined(name='d') if l_1_d is missing else l_1_d), 'verification'):
                _loop_vars = {}
                pass
                yield '<li>'
                yield escape(environment.finalize(l_2_v))
                yield '</li>\n'
            l_2_v = missing
            if environment.getattr((undefined(name='d') if l_1_d is missing else l_1_d), 'record'):
                pass
                yield '<li>'
                yield escape(environment.finalize(environment.getattr((undefined(name='T') if l_0_T is missing else l_0_T), 'record')))
                yield ': '
                yield escape(environment.finalize(environment.getattr((undefined(name='d') if l_1_d is missing else l_1_d), 'record')))
                yield '</li>'
            yield '</ul>\n</section>\n'
        l_1_loop = l_1_t = l_1_words = l_1_d = l_1_L = l_1_owner = missing
        yield '<p class="note">'
        yield escape(environment.finalize(environment.getattr((undefined(name='T') if l_0_T is missing else l_0_T), 'verify_note')))
        yield '</p>\n'
    yield '</body>\n</html>'

blocks = {}
debug_info = '2=29&5=31&15=35&16=39&17=53&18=55&19=58&22=63&23=74&24=85&27=104&28=114&29=116&30=120&31=124&32=147&33=163&34=166&36=168&37=174&38=178&42=187&44=189&45=193&48=197&49=201&51=207&53=209&54=213&56=216&60=226'