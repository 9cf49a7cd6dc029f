from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'application.html.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_lang = resolve('lang')
    l_0_T = resolve('T')
    l_0_applicant = resolve('applicant')
    l_0_application_id = resolve('application_id')
    l_0_created_at = resolve('created_at')
    l_0_tool_version = resolve('tool_version')
    l_0_sections = resolve('sections')
    l_0_enterprise = resolve('enterprise')
    l_0_security = resolve('security')
    l_0_mlps = resolve('mlps')
    l_0_servers = resolve('servers')
    l_0_websites = resolve('websites')
    l_0_domains = resolve('domains')
    l_0_ip_ranges = resolve('ip_ranges')
    l_0_coverage_note = resolve('coverage_note')
    l_0_lines = resolve('lines')
    l_0_aggregate = resolve('aggregate')
    l_0_scenarios = resolve('scenarios')
    l_0_questionnaire = resolve('questionnaire')
    l_0_reports = resolve('reports')
    l_0_attachments = resolve('attachments')
    l_0_declaration = resolve('declaration')
    l_0_declaration_id = resolve('declaration_id')
    l_0_attestations = resolve('attestations')
    l_0_heading = missing
    pass
    yield '<!doctype html>\n<html lang="'
    yield escape(environment.finalize(('zh-CN' if ((undefined(name='lang') if l_0_lang is missing else l_0_lang) == 'zh') else 'en')))
    yield '">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>'
    yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'title')))
    yield ' · '
    yield escape(environment.finalize(environment.getattr((undefined(name='applicant') if l_0_applicant is missing else l_0_applicant), 'name')))
    yield '</title>\n<style>\nbody{font-family:system-ui,-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei",sans-serif;margin:2rem auto;max-width:1100px;color:#1d2733;padding:0 1rem}\nh1{font-size:1.6rem;margin:.2rem 0 .3rem}h2{border-bottom:2px solid #e3e8ee;padding-bottom:.3rem;margin-top:2rem}h3{font-size:1rem;margin:1rem 0 .3rem}\ntable{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #d5dbe2;padding:.35rem .5rem;text-align:left;vertical-align:top;font-size:.9rem}\nth{background:#f3f5f8}.kv th{width:14rem;font-weight:400;background:#f7f8fa}\ncode,.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.8rem;word-break:break-all}\n.note{color:#556;font-size:.85rem}.subtitle{color:#556;margin:0 0 .6rem;font-size:.9rem}\n.b-derived{color:#1b7f3b}.b-attested{color:#5a4ea8}.b-unknown{color:#8a5a00}.b-skipped{color:#667}\n.s-scored{color:#1b7f3b}.s-not_assessed{color:#8a5a00}.s-not_assessable{color:#667}\n.conflict{color:#b3261e;font-weight:600}.warn{background:#fff4e5;border-left:4px solid #e8710a;padding:.4rem .8rem;margin:.4rem 0}\n.declaration{border:1px solid #1d2733;padding:.6rem 1rem;margin:.5rem 0;line-height:1.6}\n.signed{border:2px solid #1d2733;padding:.3rem .8rem;margin:.8rem 0;font-size:.85rem}\n.num{white-space:nowrap}ul.cited{margin:.2rem 0;padding-left:1.1rem;font-size:.82rem}\nnav ol{margin:.3rem 0;padding-left:1.4rem;columns:2}\n@page{size:A4;margin:16mm 14mm 18mm;@bottom-center{content:counter(page) " / " counter(pages);font-size:9pt;color:#556}}\n@media print{\nbody{margin:0;max-width:none;padding:0;font-size:10pt}\nnav{display:none}\nh2,h3{break-after:avoid}\ntr,.declaration,.signed,.warn{break-inside:avoid}\nthead{display:table-header-group}\nsection{break-before:page}section#applicant{break-before:auto}\n}\n</style>\n</head>\n<body>\n<header>\n<h1>'
    yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'title')))
    yield '</h1>\n<p class="subtitle">'
    yield escape(environment.finalize(environment.getattr((undefined(name='applicant') if l_0_applicant is missing else l_0_applicant), 'name')))
    yield ' · '
    yield escape(environment.finalize(environment.getattr((undefined(name='applicant') if l_0_applicant is missing else l_0_applicant), 'organisation_id')))
    yield '</p>\n<table class="kv">\n<tr><th>'
    yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'application_id')))
    yield '</th><td><code>'
    yield escape(environment.finalize((undefined(name='application_id') if l_0_application_id is missing else l_0_application_id)))
    yield '</code></td></tr>\n<tr><th>'
    yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'created_at')))
    yield '</th><td>'
    yield escape(environment.finalize((undefined(name='created_at') if l_0_created_at is missing else l_0_created_at)))
    yield '</td></tr>\n<tr><th>'
    yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'key')))
    yield '</th><td><code>'
    yield escape(environment.finalize(environment.getattr((undefined(name='applicant') if l_0_applicant is missing else l_0_applicant), 'keyid')))
    yield '</code></td></tr>\n</table>\n<p class="signed">'
    yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'signed_note')))
    yield ' (riskagent '
    yield escape(environment.finalize((undefined(name='tool_version') if l_0_tool_version is missing else l_0_tool_version)))
    yield ')</p>\n<nav><ol>'
    for (l_1_sid, l_1_n, l_1_title) in (undefined(name='sections') if l_0_sections is missing else l_0_sections):
        _loop_vars = {}
        pass
        yield '<li><a href="#'
        yield escape(environment.finalize(l_1_sid))
        yield '">'
        yield escape(environment.finalize(l_1_title))
        yield '</a></li>'
    l_1_sid = l_1_n = l_1_title = missing
    yield '</ol></nav>\n</header>\n'
    def macro(l_1_i):
        t_1 = []
        l_1_numerals = resolve('numerals')
        l_1_s = missing
        if l_1_i is missing:
            l_1_i = undefined("parameter 'i' was not provided", name='i')
        pass
        l_1_s = environment.getitem((undefined(name='sections') if l_0_sections is missing else l_0_sections), l_1_i)
        t_1.append(
            '<h2>',
        )
        if ((undefined(name='lang') if l_0_lang is missing else l_0_lang) == 'zh'):
            pass
            t_1.extend((
                escape(environment.finalize(environment.getitem((undefined(name='numerals') if l_1_numerals is missing else l_1_numerals), l_1_i))),
                '、',
            ))
        else:
            pass
            t_1.extend((
                escape(environment.finalize(environment.getitem((undefined(name='s') if l_1_s is missing else l_1_s), 1))),
                '. ',
            ))
        t_1.extend((
            escape(environment.finalize(environment.getitem((undefined(name='s') if l_1_s is missing else l_1_s), 2))),
            '</h2>',
        ))
        return concat(t_1)
    context.exported_vars.add('heading')
    context.vars['heading'] = l_0_heading = Macro(environment, macro, 'heading', ('i',), False, False, False, context.eval_ctx.autoescape)
    yield '\n<section id="applicant">\n'
    yield escape(environment.finalize(context.call((undefined(name='heading') if l_0_heading is missing else l_0_heading), 0)))
    yield '\n<h3>'
    yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'enterprise')))
    yield '</h3>\n<table class="kv">'
    for (l_1_k, l_1_v) in (undefined(name='enterprise') if l_0_enterprise is missing else l_0_enterprise):
        _loop_vars = {}
        pass
        yield '<tr><th>'
        yield escape(environment.finalize(l_1_k))
        yield '</th><td>'
        yield escape(environment.finalize(l_1_v))
        yield '</td></tr>'
    l_1_k = l_1_v = missing
    yield '</table>\n<h3>'
    yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'security')))
    yield '</h3>\n<table class="kv">'
    for (l_1_k, l_1_v) in (undefined(name='security') if l_0_security is missing else l_0_security):
        _loop_vars = {}
        pass
        yield '<tr><th>'
        yield escape(environment.finalize(l_1_k))
        yield '</th><td>'
        yield escape(environment.finalize(l_1_v))
        yield '</td></tr>'
    l_1_k = l_1_v = missing
    yield '</table>\n<h3>'
    yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'mlps')))
    yield '</h3>\n<table class="kv">'
    for (l_1_k, l_1_v) in (undefined(name='mlps') if l_0_mlps is missing else l_0_mlps):
        _loop_vars = {}
        pass
        yield '<tr><th>'
        yield escape(environment.finalize(l_1_k))
        yield '</th><td>'
        yield escape(environment.finalize(l_1_v))
        yield '</td></tr>'
    l_1_k = l_1_v = missing
    yield '</table>\n<h3>'
    yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'assets')))
    yield '</h3>\n<table>\n<thead><tr><th>'
    yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'server')))
    yield '</th><th>'
    yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'identifiers')))
    yield '</th><th>'
    yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'use')))
    yield '</th><th>'
    yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'assessed_by')))
    yield '</th></tr></thead>\n'
    for l_1_s in (undefined(name='servers') if l_0_servers is missing else l_0_servers):
        _loop_vars = {}
        pass
        yield '<tr><td>'
        yield escape(environment.finalize(environment.getattr(l_1_s, 'name')))
        yield '</td><td><code>'
        yield escape(environment.finalize(environment.getattr(l_1_s, 'identifiers')))
        yield '</code></td><td>'
        yield escape(environment.finalize(environment.getattr(l_1_s, 'role')))
        yield '</td><td>'
        if environment.getattr(l_1_s, 'report'):
            pass
            yield '<code>'
            yield escape(environment.finalize(environment.getattr(l_1_s, 'report')))
            yield '</code>'
        else:
            pass
            yield '<span class="b-unknown">'
            yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'not_assessed')))
            yield '</span>'
        yield '</td></tr>\n'
    l_1_s = missing
    yield '</table>\n'
    if (undefined(name='websites') if l_0_websites is missing else l_0_websites):
        pass
        yield '<table>\n<thead><tr><th>'
        yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'websites')))
        yield '</th><th>'
        yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'assessed_by')))
        yield '</th></tr></thead>\n'
        for l_1_w in (undefined(name='websites') if l_0_websites is missing else l_0_websites):
            _loop_vars = {}
            pass
            yield '<tr><td><code>'
            yield escape(environment.finalize(environment.getattr(l_1_w, 'url')))
            yield '</code></td><td>'
            if environment.getattr(l_1_w, 'report'):
                pass
                yield '<code>'
                yield escape(environment.finalize(environment.getattr(l_1_w, 'report')))
                yield '</code>'
            else:
                pass
                yield '<span class="b-unknown">'
                yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'not_assessed')))
                yield '</span>'
            yield '</td></tr>\n'
        l_1_w = missing
        yield '</table>'
    yield '<table class="kv">\n<tr><th>'
    yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'domains')))
    yield '</th><td><code>'
    yield escape(environment.finalize(((undefined(name='domains') if l_0_domains is missing else l_0_domains) or environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'none'))))
    yield '</code></td></tr>\n<tr><th>'
    yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'ip_ranges')))
    yield '</th><td><code>'
    yield escape(environment.finalize(((undefined(name='ip_ranges') if l_0_ip_ranges is missing else l_0_ip_ranges) or environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'none'))))
    yield '</code></td></tr>\n</table>\n</section>\n\n<section id="coverage">\n'
    yield escape(environment.finalize(context.call((undefined(name='heading') if l_0_heading is missing else l_0_heading), 1)))
    yield '\n<p class="note">'
    yield escape(environment.finalize((undefined(name='coverage_note') if l_0_coverage_note is missing else l_0_coverage_note)))
    yield '</p>\n<table>\n<thead><tr><th>'
    yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'line')))
    yield '</th><th>'
    yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'kind')))
    yield '</th><th>'
    yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'limit')))
    yield '</th><th>'
    yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'deductible')))
    yield '</th><th>'
    yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'rating')))
    yield '</th><th>'
    yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'failed_checks')))
    yield '</th></tr></thead>\n'
    for l_1_x in (undefined(name='lines') if l_0_lines is missing else l_0_lines):
        _loop_vars = {}
        pass
        yield '<tr><td>'
        yield escape(environment.finalize(environment.getattr(l_1_x, 'label')))
        yield '</td><td class="num">'
        yield escape(environment.finalize(environment.getattr(l_1_x, 'kind')))
        yield '</td><td class="num">'
        yield escape(environment.finalize(environment.getattr(l_1_x, 'limit')))
        yield '</td><td class="num">'
        yield escape(environment.finalize(environment.getattr(l_1_x, 'deductible')))
        yield '</td>\n<td class="s-'
        yield escape(environment.finalize(environment.getattr(l_1_x, 'state_code')))
        yield '">'
        yield escape(environment.finalize(environment.getattr(l_1_x, 'rating')))
        if (environment.getattr(l_1_x, 'state_code') != 'scored'):
            pass
            yield '<br><span class="note">'
            yield escape(environment.finalize(environment.getattr(l_1_x, 'state')))
            if environment.getattr(l_1_x, 'reason'):
                pass
                yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'colon')))
                yield escape(environment.finalize(environment.getattr(l_1_x, 'reason')))
            yield '</span>'
        yield '</td><td><code>'
        yield escape(environment.finalize(environment.getattr(l_1_x, 'failed')))
        yield '</code></td></tr>\n'
    l_1_x = missing
    if (undefined(name='aggregate') if l_0_aggregate is missing else l_0_aggregate):
        pass
        yield '<tr><th colspan="2">'
        yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'aggregate')))
        yield '</th><td colspan="4">'
        yield escape(environment.finalize((undefined(name='aggregate') if l_0_aggregate is missing else l_0_aggregate)))
        yield '</td></tr>'
    yield '</table>\n'
    if (undefined(name='scenarios') if l_0_scenarios is missing else l_0_scenarios):
        pass
        yield '<table>\n<thead><tr><th>'
        yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'scenario')))
        yield '</th><th>'
        yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'sectors')))
        yield '</th><th>'
        yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'rating')))
        yield '</th><th>'
        yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'failed_checks')))
        yield '</th></tr></thead>\n'
        for l_1_x in (undefined(name='scenarios') if l_0_scenarios is missing else l_0_scenarios):
            _loop_vars = {}
            pass
            yield '<tr><td>'
            yield escape(environment.finalize(environment.getattr(l_1_x, 'label')))
            yield '</td><td>'
            yield escape(environment.finalize(environment.getattr(l_1_x, 'sectors')))
            yield '</td>\n<td class="s-'
            yield escape(environment.finalize(environment.getattr(l_1_x, 'state_code')))
            yield '">'
            yield escape(environment.finalize(environment.getattr(l_1_x, 'rating')))
            if (environment.getattr(l_1_x, 'state_code') != 'scored'):
                pass
                yield '<br><span class="note">'
                yield escape(environment.finalize(environment.getattr(l_1_x, 'state')))
                if environment.getattr(l_1_x, 'reason'):
                    pass
                    yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'colon')))
                    yield escape(environment.finalize(environment.getattr(l_1_x, 'reason')))
                yield '</span>'
            yield '</td><td><code>'
            yield escape(environment.finalize(environment.getattr(l_1_x, 'failed')))
            yield '</code></td></tr>\n'
        l_1_x = missing
        yield '</table>'
    yield '</section>\n\n<section id="questionnaire">\n'
    yield escape(environment.finalize(context.call((undefined(name='heading') if l_0_heading is missing else l_0_heading), 2)))
    yield '\n<p class="subtitle">'
    yield escape(environment.finalize(environment.getattr((undefined(name='questionnaire') if l_0_questionnaire is missing else l_0_questionnaire), 'title')))
    yield ' · '
    yield escape(environment.finalize(environment.getattr((undefined(name='questionnaire') if l_0_questionnaire is missing else l_0_questionnaire), 'ref')))
    yield ' · '
    yield escape(environment.finalize(environment.getattr((undefined(name='questionnaire') if l_0_questionnaire is missing else l_0_questionnaire), 'summary')))
    yield '</p>\n<p class="note">'
    yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'questionnaire_note')))
    yield '</p>\n'
    for l_1_sec in environment.getattr((undefined(name='questionnaire') if l_0_questionnaire is missing else l_0_questionnaire), 'sections'):
        _loop_vars = {}
        pass
        yield '<h3>'
        yield escape(environment.finalize(environment.getattr(l_1_sec, 'title')))
        yield '</h3>\n<table>\n<thead><tr><th>#</th><th>'
        yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'question')))
        yield '</th><th>'
        yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'answer')))
        yield '</th><th>'
        yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'basis')))
        yield '</th></tr></thead>\n'
        for l_2_r in environment.getattr(l_1_sec, 'rows'):
            _loop_vars = {}
            pass
            yield '<tr><td class="num">'
            yield escape(environment.finalize(environment.getattr(l_2_r, 'id')))
            yield '</td><td>'
            yield escape(environment.finalize(environment.getattr(l_2_r, 'text')))
            yield '</td><td>'
            yield escape(environment.finalize(environment.getattr(l_2_r, 'answer')))
            yield '</td>\n<td><span class="b-'
            yield escape(environment.finalize(environment.getattr(l_2_r, 'basis_code')))
            yield '">'
            yield escape(environment.finalize(environment.getattr(l_2_r, 'basis')))
            yield '</span>'
            if environment.getattr(l_2_r, 'coverage'):
                pass
                yield '<br><span class="note">'
                yield escape(environment.finalize(environment.getattr(l_2_r, 'coverage')))
                yield '</span>'
            if environment.getattr(l_2_r, 'cited'):
                pass
                yield '<ul class="cited">'
                for l_3_c in environment.getattr(l_2_r, 'cited'):
                    _loop_vars = {}
                    pass
                    yield '<li>'
                    yield escape(environment.finalize(l_3_c))
                    yield '</li>'
                l_3_c = missing
                yield '</ul>'
            if environment.getattr(l_2_r, 'attested'):
                pass
                yield '<br><span class="note">'
                yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'attested')))
                yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'colon')))
                yield escape(environment.finalize(environment.getattr(l_2_r, 'attested')))
                yield '</span>'
            if environment.getattr(l_2_r, 'note'):
                pass
                yield '<br><span class="note">'
                yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'note')))
                yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'colon')))
                yield escape(environment.finalize(environment.getattr(l_2_r, 'note')))
                yield '</span>'
            for l_3_c in environment.getattr(l_2_r, 'conflicts'):
                _loop_vars = {}
                pass
                yield '<br><span class="conflict">'
                yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'conflict')))
                yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'colon')))
                yield escape(environment.finalize(l_3_c))
                yield '</span>'
            l_3_c = missing
            yield '</td></tr>\n'
        l_2_r = missing
        yield '</table>\n'
    l_1_sec = missing
    yield '</section>\n\n<section id="reports">\n'
    yield escape(environment.finalize(context.call((undefined(name='heading') if l_0_heading is missing else l_0_heading), 3)))
    yield '\n<table>\n<thead><tr><th>'
    yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'assessed_by')))
    yield '</th><th>'
    yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'assessed_at')))
    yield '</th><th>'
    yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'rating')))
    yield '</th><th>'
    yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'digests')))
    yield '</th></tr></thead>\n'
    for l_1_r in (undefined(name='reports') if l_0_reports is missing else l_0_reports):
        _loop_vars = {}
        pass
        yield '<tr><td>'
        yield escape(environment.finalize(environment.getattr(l_1_r, 'assets')))
        yield '<br><code>'
        yield escape(environment.finalize(environment.getattr(l_1_r, 'subject')))
        yield '</code><br><span class="note">'
        yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'report_id')))
        yield ' <code>'
        yield escape(environment.finalize(environment.getattr(l_1_r, 'report_id')))
        yield '</code>'
        if environment.getattr(l_1_r, 'os'):
            pass
            yield ' · '
            yield escape(environment.finalize(environment.getattr(l_1_r, 'os')))
        yield '</span></td>\n<td>'
        yield escape(environment.finalize(environment.getattr(l_1_r, 'assessed_at')))
        yield '<br><span class="note">'
        yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'mode')))
        yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'colon')))
        yield escape(environment.finalize(environment.getattr(l_1_r, 'mode')))
        yield '</span></td><td>'
        yield escape(environment.finalize(environment.getattr(l_1_r, 'rating')))
        yield '</td>\n<td><span class="note">'
        yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'report_digest')))
        yield '</span> <code>'
        yield escape(environment.finalize(environment.getattr(l_1_r, 'report_sha256')))
        yield '</code><br><span class="note">'
        yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'envelope_digest')))
        yield '</span> <code>'
        yield escape(environment.finalize(environment.getattr(l_1_r, 'envelope_sha256')))
        yield '</code></td></tr>\n'
    l_1_r = missing
    yield '</table>\n</section>\n\n<section id="attachments">\n'
    yield escape(environment.finalize(context.call((undefined(name='heading') if l_0_heading is missing else l_0_heading), 4)))
    yield '\n<p class="note">'
    yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'attachments_note')))
    yield '</p>\n'
    if (undefined(name='attachments') if l_0_attachments is missing else l_0_attachments):
        pass
        yield '<table>\n<thead><tr><th>'
        yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'file')))
        yield '</th><th>'
        yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'size')))
        yield '</th><th>sha256</th></tr></thead>\n'
        for l_1_a in (undefined(name='attachments') if l_0_attachments is missing else l_0_attachments):
            _loop_vars = {}
            pass
            yield '<tr><td>'
            yield escape(environment.finalize(environment.getattr(l_1_a, 'name')))
            yield '</td><td>'
            yield escape(environment.finalize(environment.getattr(l_1_a, 'size')))
            yield '</td><td><code>'
            yield escape(environment.finalize(environment.getattr(l_1_a, 'sha256')))
            yield '</code></td></tr>\n'
        l_1_a = missing
        yield '</table>'
    else:
        pass
        yield '<p>'
        yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'no_attachments')))
        yield '</p>'
    yield '</section>\n\n<section id="declarations">\n'
    yield escape(environment.finalize(context.call((undefined(name='heading') if l_0_heading is missing else l_0_heading), 5)))
    yield '\n<h3>'
    yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'applicant_declaration')))
    yield '</h3>\n<div class="declaration">'
    yield escape(environment.finalize((undefined(name='declaration') if l_0_declaration is missing else l_0_declaration)))
    yield '</div>\n<p class="note">'
    yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'declaration_id')))
    yield ' <code>'
    yield escape(environment.finalize((undefined(name='declaration_id') if l_0_declaration_id is missing else l_0_declaration_id)))
    yield '</code> · '
    yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'signed_by_applicant')))
    yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'colon')))
    yield escape(environment.finalize(environment.getattr((undefined(name='applicant') if l_0_applicant is missing else l_0_applicant), 'name')))
    yield ' ('
    yield escape(environment.finalize(environment.getattr((undefined(name='applicant') if l_0_applicant is missing else l_0_applicant), 'organisation_id')))
    yield ') · '
    yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'key')))
    yield ' <code>'
    yield escape(environment.finalize(environment.getattr((undefined(name='applicant') if l_0_applicant is missing else l_0_applicant), 'keyid')))
    yield '</code> · '
    yield escape(environment.finalize((undefined(name='created_at') if l_0_created_at is missing else l_0_created_at)))
    yield '</p>\n<h3>'
    yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'attestations')))
    yield '</h3>\n'
    t_2 = 1
    for l_1_a in (undefined(name='attestations') if l_0_attestations is missing else l_0_attestations):
        _loop_vars = {}
        pass
        yield '<div class="declaration">'
        yield escape(environment.finalize(environment.getattr(l_1_a, 'declaration')))
        yield '</div>\n<table class="kv">\n<tr><th>'
        yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'attester')))
        yield '</th><td>'
        yield escape(environment.finalize(environment.getattr(l_1_a, 'name')))
        yield '</td></tr>\n<tr><th>'
        yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'title_role')))
        yield '</th><td>'
        yield escape(environment.finalize(environment.getattr(l_1_a, 'title')))
        yield '</td></tr>\n<tr><th>'
        yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'created_at')))
        yield '</th><td>'
        yield escape(environment.finalize(environment.getattr(l_1_a, 'signed_at')))
        yield '</td></tr>\n<tr><th>'
        yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'key')))
        yield '</th><td><code>'
        yield escape(environment.finalize(environment.getattr(l_1_a, 'keyid')))
        yield '</code></td></tr>\n<tr><th>'
        yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'answers_file')))
        yield '</th><td><code>'
        yield escape(environment.finalize(environment.getattr(l_1_a, 'answers')))
        yield '</code></td></tr>\n<tr><th>'
        yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'declaration_id')))
        yield '</th><td><code>'
        yield escape(environment.finalize(environment.getattr(l_1_a, 'declaration_id')))
        yield '</code></td></tr>\n</table>\n'
        t_2 = 0
    l_1_a = missing
    if t_2:
        pass
        yield '<p class="warn">'
        yield escape(environment.finalize(environment.getitem((undefined(name='T') if l_0_T is missing else l_0_T), 'no_attestation')))
        yield '</p>\n'
    yield '</section>\n</body>\n</html>'

blocks = {}
debug_info = '2=37&6=39&34=43&35=45&37=49&38=53&39=57&41=61&42=65&44=75&47=106&48=108&49=110&50=120&51=122&52=132&53=134&54=144&56=146&57=154&60=177&61=180&62=184&66=204&67=208&72=212&73=214&75=216&76=228&77=240&79=256&81=264&82=267&83=275&84=283&90=301&91=303&92=309&93=311&94=315&96=317&97=323&98=333&99=342&100=353&101=360&102=367&109=381&111=383&112=391&113=408&114=416&120=426&121=428&122=430&123=433&124=437&126=452&130=455&131=457&132=459&133=461&134=477&135=480&136=484&138=486&139=490&140=494&141=498&142=502&143=506&146=515'